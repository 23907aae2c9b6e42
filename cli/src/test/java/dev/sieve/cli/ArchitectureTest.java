package dev.sieve.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of Sieve, as documentation that runs (README, "Layout"). The cli module's test
 * class path holds every module, so the rules see the whole house.
 */
class ArchitectureTest {

  private static JavaClasses sieve;

  @BeforeAll
  static void importClasses() {
    sieve = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.sieve");
  }

  @Test
  void noPackageDependsOnItselfInACircle() {
    slices().matching("dev.sieve.(**)").should().beFreeOfCycles().check(sieve);
  }

  /**
   * Each floor uses only the floors below it: the wire contract at the bottom, then models, the
   * data and attacks, measurement and load, the filter, the trainer, and the things that wire them
   * together for a person (the quarantine view, the pipeline in one process, the commands).
   */
  @Test
  void nothingImportsUpwards() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("wire").definedBy("dev.sieve.wire..", "dev.sieve.schemas..")
        .layer("ops").definedBy("dev.sieve.ops..")
        .layer("embedded broker").definedBy("dev.sieve.embedded..")
        .layer("model").definedBy("dev.sieve.model..")
        .layer("attack").definedBy("dev.sieve.attack..", "dev.sieve.data..")
        .layer("load").definedBy("dev.sieve.loadtest..")
        .layer("eval").definedBy("dev.sieve.eval..")
        .layer("stream").definedBy("dev.sieve.stream..")
        .layer("trainer").definedBy("dev.sieve.trainer..")
        .layer("ui").definedBy("dev.sieve.ui..")
        .layer("pipeline").definedBy("dev.sieve.pipeline..")
        .layer("cli").definedBy("dev.sieve.cli..")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("pipeline").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("ui").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("trainer").mayOnlyBeAccessedByLayers("pipeline", "cli")
        .whereLayer("stream").mayOnlyBeAccessedByLayers("trainer", "pipeline", "cli")
        .whereLayer("eval").mayOnlyBeAccessedByLayers("pipeline", "cli")
        .whereLayer("load").mayOnlyBeAccessedByLayers("pipeline", "cli")
        .whereLayer("attack").mayOnlyBeAccessedByLayers("load", "eval", "trainer", "pipeline", "cli")
        .whereLayer("model").mayOnlyBeAccessedByLayers("attack", "load", "eval", "stream", "trainer", "pipeline", "cli")
        .whereLayer("embedded broker").mayOnlyBeAccessedByLayers("pipeline", "cli")
        .whereLayer("ops").mayOnlyBeAccessedByLayers("stream", "trainer", "cli")
        .check(sieve);
  }

  @Test
  void theFilterNeverDependsOnTheTrainer() {
    noClasses().that().resideInAPackage("dev.sieve.stream..")
        .should().dependOnClassesThat().resideInAPackage("dev.sieve.trainer..")
        .check(sieve);
  }

  /**
   * The topology is a pure function of its config: no files, no sockets, no Kafka clients of its
   * own (Kafka Streams moves the records), so that TopologyTestDriver tests it whole.
   */
  @Test
  void theTopologyDoesNoIo() {
    noClasses().that().resideInAPackage("dev.sieve.stream.topology..")
        .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.net..",
            "org.apache.kafka.clients..")
        .because("the topology is built and tested as a pure function; I/O belongs to dev.sieve.stream.app")
        .check(sieve);
  }
}
