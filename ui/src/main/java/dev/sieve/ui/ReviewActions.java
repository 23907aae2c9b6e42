package dev.sieve.ui;

import dev.sieve.schemas.AuditAction;
import dev.sieve.schemas.AuditRecord;
import dev.sieve.schemas.Decision;
import dev.sieve.schemas.LabeledSample;
import dev.sieve.schemas.Verdict;
import dev.sieve.wire.AvroSerde;
import dev.sieve.wire.Headers;
import dev.sieve.wire.KafkaClients;
import dev.sieve.wire.TopicNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A person's decisions on quarantined samples, written to Kafka:
 *
 * <ul>
 *   <li><b>release</b>: the verdict goes to the credible topic with decision CREDIBLE and reason
 *       "released by WHO: WHY", and a RELEASE record to the audit topic;
 *   <li><b>relabel</b>: the same with the sample's label replaced (a person who can tell the true
 *       class makes a poisoned sample useful again), and a RELABEL record;
 *   <li><b>confirm</b>: only a CONFIRM record; the sample stays quarantined, and the Beneficiary
 *       keeps using it as unlabelled data.
 * </ul>
 *
 * <p>The credible verdict and its audit record are one Kafka transaction, so a consumer reading
 * read_committed never sees a release without its audit record, or the reverse. Actions are
 * serialised: a sample released or relabelled once is refused a second time (by this process;
 * two views on one cluster could still both release the same sample before either reads the
 * other's audit record, leaving it on credible twice).
 */
final class ReviewActions implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReviewActions.class);
  static final int MAX_REASON_CHARS = 1000;

  /** Why an action was refused; the HTTP layer turns it into a status code. */
  static final class Refused extends RuntimeException {
    enum Kind { INVALID, NOT_FOUND, CONFLICT, KAFKA }

    final Kind kind;

    Refused(Kind kind, String message, Throwable cause) {
      super(message, cause);
      this.kind = kind;
    }

    Refused(Kind kind, String message) {
      this(kind, message, null);
    }
  }

  private final TopicNames topics;
  private final QuarantineIndex index;
  private final int numClasses;
  private final Map<String, Object> producerProps;
  private final Clock clock;
  private final AvroSerde<Verdict> verdicts = AvroSerde.verdict();
  private final AvroSerde<AuditRecord> audits = AvroSerde.auditRecord();
  private KafkaProducer<byte[], byte[]> producer;

  ReviewActions(String bootstrap, TopicNames topics, Map<String, String> clientOverrides, QuarantineIndex index,
      int numClasses, Clock clock) {
    this.topics = topics;
    this.index = index;
    this.numClasses = numClasses;
    this.clock = clock;
    // The transactional id is unique per process: the view does not consume-transform-produce, so
    // there is no zombie to fence, and two views on one cluster must not fence each other.
    this.producerProps = KafkaClients.of(bootstrap, clientOverrides)
        .require(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
        .require(ProducerConfig.ACKS_CONFIG, "all")
        .require(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sieve-ui-" + UUID.randomUUID())
        .require(ProducerConfig.CLIENT_ID_CONFIG, "sieve-ui-actions")
        .build();
    this.producer = newProducer();
  }

  private KafkaProducer<byte[], byte[]> newProducer() {
    KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
    try {
      p.initTransactions();
    } catch (KafkaException e) {
      p.close(Duration.ZERO);
      throw e;
    }
    return p;
  }

  synchronized AuditRecord release(String sampleId, String who, String why) {
    return act(AuditAction.RELEASE, sampleId, who, why, null);
  }

  synchronized AuditRecord confirm(String sampleId, String who, String why) {
    return act(AuditAction.CONFIRM, sampleId, who, why, null);
  }

  synchronized AuditRecord relabel(String sampleId, String who, String why, Integer newLabel) {
    return act(AuditAction.RELABEL, sampleId, who, why, newLabel);
  }

  private AuditRecord act(AuditAction action, String sampleId, String who, String why, Integer newLabel) {
    String reason = why == null ? "" : why.strip();
    if (reason.isEmpty()) {
      throw new Refused(Refused.Kind.INVALID, "a reason is required (field \"reason\"): the audit record keeps why the sample was "
          + pastTense(action));
    }
    if (reason.length() > MAX_REASON_CHARS) {
      throw new Refused(Refused.Kind.INVALID, "the reason has " + reason.length() + " characters, at most "
          + MAX_REASON_CHARS + " are kept");
    }
    QuarantineIndex.Entry entry = index.get(sampleId).orElseThrow(() -> new Refused(Refused.Kind.NOT_FOUND,
        "sample " + sampleId + " is not among the " + index.capacity() + " newest quarantined samples this view holds"));
    int previousLabel = entry.label();
    if (action == AuditAction.RELABEL) {
      if (newLabel == null || newLabel < 0 || newLabel >= numClasses) {
        throw new Refused(Refused.Kind.INVALID, "relabel needs \"label\", a class in [0, " + numClasses + "), got " + newLabel);
      }
      if (newLabel == previousLabel) {
        throw new Refused(Refused.Kind.INVALID, "sample " + sampleId + " already claims label " + newLabel
            + "; release it instead");
      }
    }
    index.action(sampleId).ifPresent(done -> {
      if (QuarantineIndex.isFinal(done) || done.getAction() == action) {
        throw new Refused(Refused.Kind.CONFLICT, "sample " + sampleId + " was already " + pastTense(done.getAction())
            + " by " + done.getWho() + " at " + done.getAt() + " (" + done.getWhy() + ")");
      }
    });

    Verdict quarantined = entry.verdict();
    AuditRecord audit = AuditRecord.newBuilder()
        .setAction(action)
        .setSampleId(sampleId)
        .setWho(who)
        .setWhy(reason)
        .setAt(clock.instant())
        .setPreviousLabel(previousLabel)
        .setNewLabel(action == AuditAction.RELABEL ? newLabel : null)
        .setSource(entry.source())
        .setVictimModelId(quarantined.getVictimModelId())
        .setVictimVersion(quarantined.getVictimVersion())
        .build();
    byte[] key = sampleId.getBytes(StandardCharsets.UTF_8);
    ProducerRecord<byte[], byte[]> credible = null;
    if (action != AuditAction.CONFIRM) {
      LabeledSample sample = action == AuditAction.RELABEL
          ? LabeledSample.newBuilder(quarantined.getSample()).setLabel(newLabel).build()
          : quarantined.getSample();
      Verdict released = Verdict.newBuilder(quarantined)
          .setSample(sample)
          .setDecision(Decision.CREDIBLE)
          .setReason(action == AuditAction.RELABEL
              ? "relabelled from " + previousLabel + " to " + newLabel + " by " + who + ": " + reason
              : "released by " + who + ": " + reason)
          .build();
      credible = new ProducerRecord<>(topics.credible(), key, verdicts.encode(released));
      // Ground truth and other input headers travel on, as the filter forwards them.
      for (Header h : entry.headers()) {
        if (!h.key().equals(Headers.AUDIT_ACTION)) {
          credible.headers().add(h);
        }
      }
      credible.headers().add(Headers.AUDIT_ACTION, action.name().getBytes(StandardCharsets.UTF_8));
    }
    write(new ProducerRecord<>(topics.audit(), key, audits.encode(audit)), credible);
    index.applyAudit(audit);
    LOG.info("{} {} by {}: {}", action, sampleId, who, reason);
    return audit;
  }

  private void write(ProducerRecord<byte[], byte[]> audit, ProducerRecord<byte[], byte[]> credibleOrNull) {
    if (producer == null) {
      try {
        producer = newProducer();
      } catch (KafkaException e) {
        throw new Refused(Refused.Kind.KAFKA, "cannot start a Kafka transaction, nothing was written: " + e.getMessage(), e);
      }
    }
    try {
      producer.beginTransaction();
      if (credibleOrNull != null) {
        producer.send(credibleOrNull);
      }
      producer.send(audit);
      producer.commitTransaction();
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException
        | UnsupportedVersionException e) {
      // Fatal for this producer: it cannot even abort. The next action starts a fresh one.
      closeProducer();
      throw new Refused(Refused.Kind.KAFKA, "Kafka refused the transaction: " + e.getMessage(), e);
    } catch (KafkaException e) {
      try {
        producer.abortTransaction();
      } catch (KafkaException abortFailed) {
        closeProducer();
      }
      throw new Refused(Refused.Kind.KAFKA, "Kafka transaction failed, nothing was written: " + e.getMessage(), e);
    }
  }

  private static String pastTense(AuditAction action) {
    return switch (action) {
      case RELEASE -> "released";
      case CONFIRM -> "confirmed as poisoned";
      case RELABEL -> "relabelled";
    };
  }

  private void closeProducer() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
  }

  @Override
  public synchronized void close() {
    closeProducer();
  }
}
