package dev.sieve.attack;

import dev.sieve.data.FashionMnist;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The attacks by name: what {@code --attack SPEC} and the evaluation matrix accept. */
public final class Attacks {

  private static final List<String> NAMES = List.of(
      "badnets-3x3", "badnets-2x2", "blend-0.1", "blend-0.2", "sig", "wanet", "label-consistent");
  private static final Pattern BADNETS = Pattern.compile("badnets-(\\d{1,2})x(\\d{1,2})");
  private static final Pattern BLEND = Pattern.compile("blend-(\\d*\\.?\\d+)");

  private Attacks() {}

  /** The specs {@link #parse} accepts, as listed in help texts; also {@code badnets-NxN} and {@code blend-ALPHA}. */
  public static List<String> names() {
    return NAMES;
  }

  /**
   * The attack for {@code spec} (case-insensitive) towards class {@code targetLabel}. Besides
   * {@link #names()}, any square {@code badnets-NxN} patch and any {@code blend-ALPHA} with alpha
   * in (0, 1] are accepted.
   */
  public static Attack parse(String spec, int targetLabel) {
    if (targetLabel < 0 || targetLabel >= FashionMnist.NUM_CLASSES) {
      throw new IllegalArgumentException("target label must be a Fashion-MNIST class in [0, "
          + FashionMnist.NUM_CLASSES + "), got " + targetLabel);
    }
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "sig":
        return new SigAttack(targetLabel);
      case "wanet":
        return new WaNetAttack(targetLabel);
      case "label-consistent":
        return new LabelConsistentAttack(targetLabel);
      default:
        break;
    }
    Matcher badnets = BADNETS.matcher(s);
    if (badnets.matches()) {
      int size = Integer.parseInt(badnets.group(1));
      if (size != Integer.parseInt(badnets.group(2)) || size < 1 || size > FashionMnist.ROWS) {
        throw unknown(spec, "a BadNets patch must be square, 1x1 to " + FashionMnist.ROWS + "x" + FashionMnist.COLS);
      }
      return new BadNetsTrigger(size, targetLabel);
    }
    Matcher blend = BLEND.matcher(s);
    if (blend.matches()) {
      double alpha = Double.parseDouble(blend.group(1));
      if (!(alpha > 0.0 && alpha <= 1.0)) {
        throw unknown(spec, "blend alpha must be in (0, 1]");
      }
      return new BlendAttack(targetLabel, alpha);
    }
    throw unknown(spec, null);
  }

  private static IllegalArgumentException unknown(String spec, String why) {
    String what = why == null ? "unknown attack '" + spec + "'" : "invalid attack '" + spec + "' (" + why + ")";
    return new IllegalArgumentException(what
        + ": valid specs are " + String.join(", ", NAMES) + ", or badnets-NxN and blend-ALPHA in general");
  }
}
