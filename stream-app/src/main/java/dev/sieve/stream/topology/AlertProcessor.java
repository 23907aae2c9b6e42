package dev.sieve.stream.topology;

import dev.sieve.schemas.Alert;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.Verdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches every verdict of its task and emits an {@link Alert}, keyed by the class, when
 * {@link QuarantineRateAlarm} sees a class's quarantine rate jump. The rates are kept in memory per
 * task: an alert is a signal to a person, and after a restart the windows simply fill again.
 */
final class AlertProcessor implements Processor<byte[], Verdict, byte[], Alert> {

  private static final Logger log = LoggerFactory.getLogger(AlertProcessor.class);
  static final String KIND_RATE_JUMP = "QUARANTINE_RATE_JUMP";

  private final QuarantineRateAlarm.Rule rule;
  private final int numClasses;
  private final FilterMetrics metrics;
  private ProcessorContext<byte[], Alert> context;
  private QuarantineRateAlarm alarm;

  AlertProcessor(QuarantineRateAlarm.Rule rule, int numClasses, FilterMetrics metrics) {
    this.rule = rule;
    this.numClasses = numClasses;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<byte[], Alert> context) {
    this.context = context;
    this.alarm = new QuarantineRateAlarm(rule, numClasses);
  }

  @Override
  public void process(Record<byte[], Verdict> record) {
    Verdict verdict = record.value();
    int label = verdict.getSample().getLabel();
    alarm.record(label, verdict.getDecision() == Decision.QUARANTINE).ifPresent(raised -> {
      String message = String.format(Locale.ROOT,
          "class %d: %.0f%% of its last %d samples quarantined, against %.1f%% of the %d before;"
              + " an attack on this class may have started (Victim %s v%d)",
          raised.classLabel(), 100 * raised.rate(), raised.window(), 100 * raised.baselineRate(),
          raised.baselineSamples(), verdict.getVictimModelId(), verdict.getVictimVersion());
      Alert alert = Alert.newBuilder()
          .setKind(KIND_RATE_JUMP)
          .setClassLabel(raised.classLabel())
          .setRate(raised.rate())
          .setBaselineRate(raised.baselineRate())
          .setWindow(raised.window())
          .setBaselineSamples(raised.baselineSamples())
          .setVictimModelId(verdict.getVictimModelId())
          .setVictimVersion(verdict.getVictimVersion())
          .setSource("task " + context.taskId())
          .setMessage(message)
          .setRaisedAt(Instant.ofEpochMilli(context.currentSystemTimeMs()))
          .build();
      log.warn("ALERT {}", message);
      metrics.alertRaised(raised.classLabel());
      context.forward(new Record<>(Integer.toString(raised.classLabel()).getBytes(StandardCharsets.UTF_8), alert,
          record.timestamp()), FilterTopology.ALERTS_SINK);
    });
  }
}
