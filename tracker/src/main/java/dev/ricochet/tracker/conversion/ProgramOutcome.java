package dev.ricochet.tracker.conversion;

import dev.ricochet.ingest.ProgramRoute;

/**
 * An intake's outcome together with the program it authenticated for (null if it did not get that far).
 *
 * @param program the program, or null.
 * @param outcome what to do.
 */
record ProgramOutcome(ProgramRoute program, IntakeOutcome outcome)
{
}
