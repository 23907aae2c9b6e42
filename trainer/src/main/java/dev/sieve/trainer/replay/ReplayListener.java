package dev.sieve.trainer.replay;

import dev.sieve.schemas.ModelVersion;
import java.util.List;

/** Hears a replay's progress; every method runs on the replay's thread, and does nothing by default. */
public interface ReplayListener {

  ReplayListener NONE = new ReplayListener() { };

  /** The Victim is loaded and the range resolved; {@code total} offsets are to be read. */
  default void onStart(ModelVersion victim, String range, List<ReplayRange.Span> spans, long total) { }

  /** {@code done} of {@code total} offsets read (records plus transaction markers and aborted records). */
  default void onProgress(long done, long total) { }

  /** Scoring is over; the Beneficiary (if any) trains next. */
  default void onScored(long records, long credible, long quarantine, long deadLetters) { }

  /** One Beneficiary epoch ended: 1-based {@code epoch} of {@code epochs}. */
  default void onEpoch(int epoch, int epochs, String phase, double meanLoss, int samples) { }
}
