package dev.sieve.attack.zoo;

import dev.sieve.attack.Attacks;
import dev.sieve.attack.PoisonComponent;
import dev.sieve.data.FashionMnist;
import dev.sieve.data.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The attack zoo: attacks drawn at random from {@link Family families}, so that a defense can be
 * tuned and measured on many attacks nobody tuned it for instead of on a few fixed ones.
 *
 * <p>A draw is a pure function of the zoo's seed, its families and the draw's index: draw
 * {@code i} of seed {@code s} ({@code zoo:s:i}) is the same attack, rate and target on every
 * machine and run, and draws do not depend on one another. A draw is one family's attack, or two
 * attacks at once (each family and its parameters drawn anew, with different targets), each of
 * the {@code families.size() + 1} kinds equally likely; the target is uniform over the ten
 * classes and the rate log-uniform over 0.5-20 % ({@link ZooRanges}).
 */
public final class Zoo {

  public static final String SPEC_PREFIX = "zoo:";
  /** The prefix of draws from {@link Family#ALL}, clean-label families included, at dirty-label rates up to 30 %. */
  public static final String ALL_SPEC_PREFIX = "zoo-all:";
  private static final long COLOUR_KEY = 0xC0_10_0AL;
  private static final Pattern SPEC = Pattern.compile("(zoo|zoo-all):(-?\\d{1,19}):(\\d{1,9})");

  private final long seed;
  private final List<Family> families;
  private final double maxRate;
  private final String prefix;

  /** The zoo of {@code zoo:SEED:INDEX}: the {@link Family#DIRTY_LABEL} families. */
  public Zoo(long seed) {
    this(seed, Family.DIRTY_LABEL);
  }

  /** A zoo of {@code families} with {@code zoo:}'s rate range (its draws have no spec that names them unless they are {@code zoo:}'s). */
  public Zoo(long seed, List<Family> families) {
    this(seed, families, ZooRanges.MAX_RATE, SPEC_PREFIX);
  }

  private Zoo(long seed, List<Family> families, double maxRate, String prefix) {
    if (families.isEmpty()) {
      throw new IllegalArgumentException("a zoo needs at least one family");
    }
    this.seed = seed;
    this.families = List.copyOf(families);
    this.maxRate = maxRate;
    this.prefix = prefix;
  }

  /**
   * The zoo of {@code zoo-all:SEED:INDEX}: every family ({@link Family#ALL}), clean-label SIG and
   * label-consistent at 20-80 % of the target class, dirty-label rates up to {@link
   * ZooRanges#MAX_RATE_ALL}. A separate zoo, so that {@code zoo:SEED:INDEX} draws stay as they were.
   */
  public static Zoo all(long seed) {
    return new Zoo(seed, Family.ALL, ZooRanges.MAX_RATE_ALL, ALL_SPEC_PREFIX);
  }

  public long seed() {
    return seed;
  }

  /** Draw {@code index} ({@code >= 0}). */
  public ZooDraw draw(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("zoo draw index must be >= 0, got " + index);
    }
    long drawSeed = Seeds.mix(seed, index);
    Random random = new Random(drawSeed);
    int kind = random.nextInt(families.size() + 1);
    List<ZooComponent> components = new ArrayList<>(2);
    if (kind < families.size()) {
      components.add(component(families.get(kind), random.nextInt(FashionMnist.NUM_CLASSES), random, maxRate,
          colourSeed(drawSeed, 0)));
    } else {
      int first = random.nextInt(FashionMnist.NUM_CLASSES);
      // Any other class, uniformly: two triggers towards one class would be one attack's two faces.
      int second = (first + 1 + random.nextInt(FashionMnist.NUM_CLASSES - 1)) % FashionMnist.NUM_CLASSES;
      Family a = families.get(random.nextInt(families.size()));
      Family b = families.get(random.nextInt(families.size()));
      components.add(component(a, first, random, maxRate, colourSeed(drawSeed, 0)));
      components.add(component(b, second, random, maxRate, colourSeed(drawSeed, 1)));
    }
    return new ZooDraw(seed, index, components, prefix);
  }

  /** Draws {@code 0 .. count-1}. */
  public List<ZooDraw> draws(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("zoo draw count must be >= 0, got " + count);
    }
    List<ZooDraw> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(draw(i));
    }
    return out;
  }

  /** A stream of its own for component {@code k}'s colour, apart from the draw's {@code Random}. */
  private static long colourSeed(long drawSeed, int k) {
    return Seeds.mix(drawSeed, COLOUR_KEY + k);
  }

  private static ZooComponent component(Family family, int target, Random random, double maxRate, long colourSeed) {
    Family.Trigger trigger = family.drawTrigger(random, target, colourSeed);
    return new ZooComponent(family, trigger.attack(), family.drawRate(random, maxRate), trigger.description());
  }

  /** Whether {@code spec} names a zoo draw ({@code zoo:...}, case-insensitive) rather than a built-in attack. */
  public static boolean isSpec(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    return s.startsWith(SPEC_PREFIX) || s.startsWith(ALL_SPEC_PREFIX);
  }

  /** The draw {@code zoo:SEED:INDEX} names. */
  public static ZooDraw parse(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    Matcher m = SPEC.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException("invalid zoo spec '" + spec + "': expected zoo:SEED:INDEX or zoo-all:SEED:INDEX,"
          + " SEED an integer and INDEX >= 0, e.g. zoo:7:12");
    }
    try {
      long seed = Long.parseLong(m.group(2));
      Zoo zoo = "zoo".equals(m.group(1)) ? new Zoo(seed) : all(seed);
      return zoo.draw(Integer.parseInt(m.group(3)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid zoo spec '" + spec + "': SEED must fit a long and INDEX an int", e);
    }
  }

  /**
   * What {@code spec} poisons a stream with: a zoo draw's own components, whose rates and targets
   * the draw decides ({@code rate} and {@code targetLabel} are not used then), or the built-in
   * attack {@code spec} names ({@link Attacks#parse}) towards {@code targetLabel} at {@code rate}.
   */
  public static List<PoisonComponent> poisoning(String spec, double rate, int targetLabel) {
    return isSpec(spec) ? parse(spec).poisoning() : List.of(new PoisonComponent(Attacks.parse(spec, targetLabel), rate));
  }

  /**
   * {@code spec} in words: a zoo draw's description, or a built-in attack's canonical name, e.g.
   * {@code blend-0.25} for {@code Blend-0.250}.
   */
  public static String describe(String spec) {
    return isSpec(spec) ? parse(spec).description() : Attacks.parse(spec, 0).name();
  }
}
