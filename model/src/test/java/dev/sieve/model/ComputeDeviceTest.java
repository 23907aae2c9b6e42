package dev.sieve.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.sieve.model.ComputeDevice.Choice;
import dev.sieve.model.ComputeDevice.EngineFacts;
import dev.sieve.model.ComputeDevice.Request;
import dev.sieve.model.training.ClassifierTrainer;
import dev.sieve.schemas.LabeledSample;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ComputeDeviceTest {

  private static final EngineFacts CPU_BUILD = new EngineFacts("PyTorch 2.7.1", "/c/2.7.1-cpu-linux-x86_64", "cpu", false, 0);
  /** A CPU libtorch on a machine whose CUDA runtime sees GPUs: the GPUs are of no use to it. */
  private static final EngineFacts CPU_BUILD_ON_GPU_HOST =
      new EngineFacts("PyTorch 2.7.1", "/c/2.7.1-cpu-linux-x86_64", "cpu", false, 2);
  private static final EngineFacts CUDA_BUILD_NO_GPU = new EngineFacts("PyTorch 2.11.0", "/t/lib", "cu130", true, 0);
  private static final EngineFacts CUDA_BUILD_TWO_GPUS = new EngineFacts("PyTorch 2.11.0", "/t/lib", "cu130", true, 2);

  @Test
  void cpuIsAlwaysTheCpuEvenWithAGpu() {
    for (EngineFacts facts : List.of(CPU_BUILD, CPU_BUILD_ON_GPU_HOST, CUDA_BUILD_NO_GPU, CUDA_BUILD_TWO_GPUS)) {
      assertEquals(Device.cpu(), ComputeDevice.choose(Request.CPU, facts).device(), facts.toString());
    }
  }

  @Test
  void autoTakesTheFirstUsableGpuElseTheCpu() {
    assertEquals(Device.gpu(0), ComputeDevice.choose(Request.AUTO, CUDA_BUILD_TWO_GPUS).device());
    assertEquals(Device.cpu(), ComputeDevice.choose(Request.AUTO, CUDA_BUILD_NO_GPU).device());
    assertEquals(Device.cpu(), ComputeDevice.choose(Request.AUTO, CPU_BUILD_ON_GPU_HOST).device());
    assertEquals(Device.cpu(), ComputeDevice.choose(Request.AUTO, CPU_BUILD).device());
  }

  @Test
  void gpuIsRefusedWithTheReasonWhenThereIsNoUsableGpu() {
    Choice noCuda = ComputeDevice.choose(Request.GPU, CPU_BUILD_ON_GPU_HOST);
    assertTrue(noCuda.refused());
    assertNull(noCuda.device());
    assertTrue(noCuda.refusal().contains("reports no CUDA"), noCuda.refusal());
    assertTrue(noCuda.logLine().contains("--device gpu refused"), noCuda.logLine());
    assertTrue(noCuda.logLine().contains("GPUs counted: 2"), noCuda.logLine());

    Choice noGpu = ComputeDevice.choose(Request.GPU, CUDA_BUILD_NO_GPU);
    assertTrue(noGpu.refused());
    assertTrue(noGpu.refusal().contains("counts no GPU"), noGpu.refusal());

    Choice gpu = ComputeDevice.choose(Request.GPU, CUDA_BUILD_TWO_GPUS);
    assertFalse(gpu.refused());
    assertEquals(Device.gpu(0), gpu.device());
    assertEquals("engine PyTorch 2.11.0 (libtorch /t/lib, flavor cu130), libtorch CUDA: yes, GPUs counted: 2; "
        + "device: gpu(0) (--device gpu)", gpu.logLine());
  }

  @Test
  void flavorComesFromTheOverrideElseDjlsCacheDirectoryName() {
    assertEquals("cu130", ComputeDevice.flavorOf("cu130", "/root/.djl.ai/pytorch/2.7.1-cpu-linux-x86_64"));
    assertEquals("cpu", ComputeDevice.flavorOf(null, "/root/.djl.ai/pytorch/2.7.1-cpu-linux-x86_64"));
    assertEquals("cpu", ComputeDevice.flavorOf(null, "/root/.djl.ai/pytorch/2.7.1-20250812-cpu-linux-x86_64"));
    assertEquals("cu124-precxx11", ComputeDevice.flavorOf("", "/c/2.5.1-cu124-precxx11-linux-x86_64"));
    assertEquals("unknown", ComputeDevice.flavorOf(null, "/usr/lib/python3/dist-packages/torch/lib"));
  }

  /** The real engine of this build: what it finds, and that networks and their trainers land on the chosen device. */
  @Test
  void theRealEngineIsProbedAndNetworksTrainOnTheChosenDevice() {
    EngineFacts facts = EngineFacts.probe();
    assertTrue(facts.engine().startsWith("PyTorch "), facts.toString());
    Choice auto = ComputeDevice.choose(Request.AUTO, facts);
    assertEquals(facts.usableGpus() > 0 ? Device.gpu(0) : Device.cpu(), auto.device());
    assertEquals(facts.usableGpus() == 0, ComputeDevice.choose(Request.GPU, facts).refused());

    Choice cpu = ComputeDevice.use(Request.CPU);
    assertEquals(Device.cpu(), ComputeDevice.current(), cpu.logLine());
    List<LabeledSample> batch = SyntheticSamples.quadrants(64, 3);
    try (Network net = Network.create(Architecture.FMNIST_CNN_V1, 5);
        ClassifierTrainer trainer = new ClassifierTrainer(net, 1e-3f)) {
      assertEquals(Device.cpu(), net.model().getNDManager().getDevice());
      assertArrayEquals(new Device[] {Device.cpu()}, ComputeDevice.of(net.model()));
      trainer.epoch(batch, 32, new Random(1), done -> { });
      assertEquals(2, trainer.steps());
      try (Network copy = Network.fromParameters(Architecture.FMNIST_CNN_V1, net.parameters(), Device.cpu())) {
        assertArrayEquals(net.logits(batch), copy.logits(batch));
      }
    }
  }
}
