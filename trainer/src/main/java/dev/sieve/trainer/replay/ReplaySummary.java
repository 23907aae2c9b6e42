package dev.sieve.trainer.replay;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a replay did. Written as JSON with {@code --summary FILE}; the key names are part of the
 * command's contract.
 *
 * @param into "live" or the replay name
 * @param credibleTopic where credible verdicts went
 * @param quarantineTopic where quarantine verdicts went
 * @param deadLetterTopic where refused records went
 * @param range the range as asked for
 * @param spans the offsets read, per partition
 * @param records records read inside the range; always credible + quarantine + deadLetters
 * @param credible verdicts CREDIBLE
 * @param quarantine verdicts QUARANTINE
 * @param deadLetters records refused (invalid, or a duplicate id within the range)
 * @param victimModelId the Victim's model id
 * @param victimVersion the Victim version every verdict was scored by
 * @param beneficiaryCheckpoint the Beneficiary's checkpoint file, or null when none was trained
 * @param beneficiarySha256 its sha256, or null
 * @param beneficiaryVersion its version in the checkpoint directory, or 0
 * @param mixEpochs AttentionMix epochs trained (0 without a Beneficiary)
 * @param suppressionEpochs Victim-suppression epochs trained
 * @param beneficiaryLoss mean loss of the last epoch, NaN without a Beneficiary
 * @param published whether the Beneficiary was announced on clean-models
 * @param notTrainedBecause why no Beneficiary was trained, or null
 * @param scoringSeconds reading, scoring and writing the verdicts
 * @param trainingSeconds training and writing the checkpoint
 * @param wallSeconds the whole replay
 */
public record ReplaySummary(
    String into,
    String credibleTopic,
    String quarantineTopic,
    String deadLetterTopic,
    String range,
    List<ReplayRange.Span> spans,
    long records,
    long credible,
    long quarantine,
    long deadLetters,
    String victimModelId,
    long victimVersion,
    String beneficiaryCheckpoint,
    String beneficiarySha256,
    long beneficiaryVersion,
    int mixEpochs,
    int suppressionEpochs,
    double beneficiaryLoss,
    boolean published,
    String notTrainedBecause,
    double scoringSeconds,
    double trainingSeconds,
    double wallSeconds) {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("into", into);
    m.put("credibleTopic", credibleTopic);
    m.put("quarantineTopic", quarantineTopic);
    m.put("deadLetterTopic", deadLetterTopic);
    m.put("range", range);
    m.put("spans", spans.stream().map(s -> Map.of("partition", s.partition(), "from", s.from(), "to", s.to())).toList());
    m.put("records", records);
    m.put("credible", credible);
    m.put("quarantine", quarantine);
    m.put("deadLetters", deadLetters);
    m.put("victimModelId", victimModelId);
    m.put("victimVersion", victimVersion);
    m.put("beneficiaryCheckpoint", beneficiaryCheckpoint);
    m.put("beneficiarySha256", beneficiarySha256);
    m.put("beneficiaryVersion", beneficiaryVersion);
    m.put("mixEpochs", mixEpochs);
    m.put("suppressionEpochs", suppressionEpochs);
    m.put("beneficiaryLoss", Double.isFinite(beneficiaryLoss) ? beneficiaryLoss : null);
    m.put("published", published);
    m.put("notTrainedBecause", notTrainedBecause);
    m.put("scoringSeconds", scoringSeconds);
    m.put("trainingSeconds", trainingSeconds);
    m.put("wallSeconds", wallSeconds);
    return m;
  }

  public void writeJson(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    JSON.writeValue(file.toFile(), asMap());
  }

  /** The summary a person reads at the end of the command. */
  public String text() {
    StringBuilder out = new StringBuilder();
    out.append("Sieve replay summary\n");
    out.append(String.format(Locale.ROOT, "  range          %s%n", range));
    out.append(String.format(Locale.ROOT, "  offsets        %s%n", spans.isEmpty() ? "(none)" : ReplayRange.describe(spans)));
    out.append(String.format(Locale.ROOT, "  victim         %s v%d%n", victimModelId, victimVersion));
    out.append(String.format(Locale.ROOT, "  records        %d in %.1f s%n", records, scoringSeconds));
    out.append(String.format(Locale.ROOT, "  credible       %d -> %s%n", credible, credibleTopic));
    out.append(String.format(Locale.ROOT, "  quarantine     %d -> %s%n", quarantine, quarantineTopic));
    out.append(String.format(Locale.ROOT, "  dead-letter    %d -> %s%n", deadLetters, deadLetterTopic));
    if (beneficiaryCheckpoint != null) {
      out.append(String.format(Locale.ROOT, "  beneficiary    v%d, %d mix + %d suppression epochs, loss %.4f, %.1f s%n",
          beneficiaryVersion, mixEpochs, suppressionEpochs, beneficiaryLoss, trainingSeconds));
      out.append(String.format(Locale.ROOT, "  checkpoint     %s%s%n", beneficiaryCheckpoint,
          published ? " (published on clean-models)" : " (not published; --publish announces it)"));
    } else {
      out.append(String.format(Locale.ROOT, "  beneficiary    none: %s%n", notTrainedBecause));
    }
    out.append(String.format(Locale.ROOT, "  time           %.1f s%n", wallSeconds));
    return out.toString();
  }
}
