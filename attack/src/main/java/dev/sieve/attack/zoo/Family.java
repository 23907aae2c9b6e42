package dev.sieve.attack.zoo;

import static dev.sieve.attack.zoo.ZooRanges.uniform;

import dev.sieve.attack.Attack;
import dev.sieve.attack.BadNetsTrigger;
import dev.sieve.attack.BlendAttack;
import dev.sieve.attack.LabelConsistentAttack;
import dev.sieve.attack.SigAttack;
import dev.sieve.attack.WaNetAttack;
import dev.sieve.data.FashionMnist;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A kind of attack the zoo draws, with the ranges of its random parameters ({@link ZooRanges}).
 * Each family builds its attack from an existing attack class with drawn parameters.
 *
 * <p>The list is open: a family is one more constant here. A zoo draws from the families it is
 * given, never from all constants: {@code zoo:SEED:INDEX} from {@link #DIRTY_LABEL}, {@code
 * zoo-all:SEED:INDEX} from {@link #ALL}, which adds the clean-label SIG and label-consistent
 * families (20-80 % of the target class). So adding a family leaves every existing {@code
 * zoo:SEED:INDEX} draw as it was (ZooCleanLabelTest checks 40 of them against a recorded list).
 */
public enum Family {

  /**
   * A BadNets-style patch: size, pattern, intensity and position all drawn, and a colour that
   * shows on colour images only (drawn from the colour seed, so grey draws are as they were).
   */
  PATCH {
    @Override
    Trigger drawTrigger(Random random, int target, long colourSeed) {
      int size = uniform(random, ZooRanges.PATCH_MIN_SIZE, ZooRanges.PATCH_MAX_SIZE);
      int patterns = size >= ZooRanges.SYMBOL_MIN_SIZE ? 4 : 3;
      BadNetsTrigger.Pattern pattern = switch (random.nextInt(patterns)) {
        case 0 -> BadNetsTrigger.Shape.SOLID;
        case 1 -> BadNetsTrigger.Shape.CHECKERBOARD;
        case 2 -> new BadNetsTrigger.Noise(random.nextLong());
        default -> SYMBOLS.get(random.nextInt(SYMBOLS.size()));
      };
      BadNetsTrigger.Placement placement = random.nextBoolean()
          ? new BadNetsTrigger.RandomCorner(random.nextLong())
          : new BadNetsTrigger.At(random.nextInt(FashionMnist.ROWS - size + 1), random.nextInt(FashionMnist.COLS - size + 1));
      int intensity = uniform(random, ZooRanges.PATCH_MIN_INTENSITY, ZooRanges.PATCH_MAX_INTENSITY);
      return new Trigger(new BadNetsTrigger(size, target, pattern, intensity, placement,
          BadNetsTrigger.Colour.drawn(colourSeed)),
          "patch " + size + "x" + size + " " + looks(pattern) + " " + placement.describe() + ", intensity " + intensity);
    }

    private static String looks(BadNetsTrigger.Pattern pattern) {
      if (pattern instanceof BadNetsTrigger.Shape shape) {
        return switch (shape) {
          case PLUS -> "plus symbol";
          case X -> "X symbol";
          case L -> "L symbol";
          default -> shape.id();
        };
      }
      return pattern.id();
    }
  },

  /** Blend: the image mixed with a noise, grating or object-like pattern at a drawn alpha. */
  BLEND {
    @Override
    Trigger drawTrigger(Random random, int target, long colourSeed) {
      double alpha = uniform(random, ZooRanges.BLEND_MIN_ALPHA, ZooRanges.BLEND_MAX_ALPHA, ZooRanges.BLEND_ALPHA_STEP);
      BlendAttack.Pattern pattern;
      String what;
      switch (random.nextInt(3)) {
        case 0 -> {
          pattern = new BlendAttack.Noise(random.nextLong());
          what = "noise";
        }
        case 1 -> {
          int angle = uniform(random, 0, ZooRanges.GRATING_MAX_ANGLE);
          double period = uniform(random, ZooRanges.GRATING_MIN_PERIOD, ZooRanges.GRATING_MAX_PERIOD,
              ZooRanges.GRATING_PERIOD_STEP);
          pattern = new BlendAttack.Grating(angle, period);
          what = "grating at " + angle + " deg, period " + period + " px";
        }
        default -> {
          pattern = new BlendAttack.Texture(random.nextLong());
          what = "random object-like image";
        }
      }
      return new Trigger(new BlendAttack(target, alpha, pattern), "blend " + what + ", alpha " + alpha);
    }
  },

  /** WaNet: a smooth warp from a drawn control grid size, strength and grid. */
  WARP {
    @Override
    Trigger drawTrigger(Random random, int target, long colourSeed) {
      int k = uniform(random, ZooRanges.WARP_MIN_GRID, ZooRanges.WARP_MAX_GRID);
      double strength = uniform(random, ZooRanges.WARP_MIN_STRENGTH, ZooRanges.WARP_MAX_STRENGTH,
          ZooRanges.WARP_STRENGTH_STEP);
      return new Trigger(new WaNetAttack(target, k, strength, random.nextLong()),
          "warp " + k + "x" + k + " control grid, strength " + strength);
    }
  },

  /** SIG's horizontal sinusoid with a drawn amplitude and frequency, as a dirty-label trigger. */
  SINUSOID {
    @Override
    Trigger drawTrigger(Random random, int target, long colourSeed) {
      int amplitude = uniform(random, ZooRanges.SINUSOID_MIN_AMPLITUDE, ZooRanges.SINUSOID_MAX_AMPLITUDE);
      double frequency = uniform(random, ZooRanges.SINUSOID_MIN_FREQUENCY, ZooRanges.SINUSOID_MAX_FREQUENCY,
          ZooRanges.SINUSOID_FREQUENCY_STEP);
      return new Trigger(new SigAttack(target, amplitude, frequency, false),
          "sinusoid amplitude " + amplitude + ", " + frequency + " periods, dirty-label");
    }
  },

  /**
   * SIG as its paper has it, clean-label: a horizontal sinusoid (drawn amplitude and frequency)
   * or ramp (drawn amplitude) added to samples of the target class, which keep their true label.
   */
  CLEAN_SIGNAL {
    @Override
    Trigger drawTrigger(Random random, int target, long colourSeed) {
      boolean ramp = random.nextBoolean();
      int amplitude = uniform(random, ZooRanges.SINUSOID_MIN_AMPLITUDE, ZooRanges.SINUSOID_MAX_AMPLITUDE);
      double frequency = uniform(random, ZooRanges.SINUSOID_MIN_FREQUENCY, ZooRanges.SINUSOID_MAX_FREQUENCY,
          ZooRanges.SINUSOID_FREQUENCY_STEP);
      SigAttack.Signal shape = ramp ? SigAttack.Signal.RAMP : SigAttack.Signal.SINE;
      return new Trigger(new SigAttack(target, amplitude, frequency, true, shape), ramp
          ? "ramp amplitude " + amplitude + ", clean-label"
          : "sinusoid amplitude " + amplitude + ", " + frequency + " periods, clean-label");
    }

    @Override
    double drawRate(Random random, double maxRate) {
      return cleanLabelRate(random);
    }
  },

  /**
   * Label-consistent (PGD on a surrogate model, then a patch) with the patch drawn as {@link
   * #PATCH} draws one. The draw is cheap: the surrogate is trained only when the stream is poisoned.
   */
  LABEL_CONSISTENT {
    @Override
    Trigger drawTrigger(Random random, int target, long colourSeed) {
      Trigger patch = PATCH.drawTrigger(random, target, colourSeed);
      return new Trigger(new LabelConsistentAttack((BadNetsTrigger) patch.attack()),
          "label-consistent, " + patch.description());
    }

    @Override
    double drawRate(Random random, double maxRate) {
      return cleanLabelRate(random);
    }
  };

  /** The families of {@code zoo:SEED:INDEX}: every one relabels other classes' samples. */
  public static final List<Family> DIRTY_LABEL = List.of(PATCH, BLEND, WARP, SINUSOID);

  /** The families of {@code zoo-all:SEED:INDEX}: the dirty-label ones and the clean-label ones. */
  public static final List<Family> ALL = List.of(PATCH, BLEND, WARP, SINUSOID, CLEAN_SIGNAL, LABEL_CONSISTENT);

  private static final List<BadNetsTrigger.Shape> SYMBOLS =
      List.of(BadNetsTrigger.Shape.PLUS, BadNetsTrigger.Shape.X, BadNetsTrigger.Shape.L);

  /** A drawn attack and what it is, in words, without target and rate. */
  record Trigger(Attack attack, String description) {}

  /**
   * Draws this family's attack towards {@code target}, consuming {@code random}. What shows only
   * on colour images (a patch's colour) comes from {@code colourSeed} instead, so that drawing it
   * leaves every other parameter, and every grey image, as it was before colour existed.
   */
  abstract Trigger drawTrigger(Random random, int target, long colourSeed);

  /**
   * Draws a component's poison rate: for the dirty-label families a share of the stream,
   * log-uniform over {@link ZooRanges#MIN_RATE}..{@code maxRate}; the clean-label families
   * override it with a share of the target class.
   */
  double drawRate(Random random, double maxRate) {
    return ZooRanges.logUniform(random, ZooRanges.MIN_RATE, maxRate, ZooRanges.RATE_STEP);
  }

  /** Uniform over {@link ZooRanges#CLEAN_MIN_RATE}..{@link ZooRanges#CLEAN_MAX_RATE} of the target class. */
  private static double cleanLabelRate(Random random) {
    return uniform(random, ZooRanges.CLEAN_MIN_RATE, ZooRanges.CLEAN_MAX_RATE, ZooRanges.CLEAN_RATE_STEP);
  }

  /** Lower-case, as descriptions name it. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
