package dev.ricochet.tracker.conversion;

/**
 * What an intake decided about one request: record a conversion, acknowledge and ignore it, reject it, or keep it
 * as a dead letter.
 *
 * @param action     what to do.
 * @param conversion the conversion to record, for {@link Action#RECORD}.
 * @param status     HTTP status for the answer (for RECORD, the status once durable).
 * @param message    for the sender: why it was ignored, rejected or dead-lettered.
 */
public record IntakeOutcome(Action action, Conversion conversion, int status, String message)
{
    /**
     * The decisions an intake can make.
     */
    public enum Action
    {
        /** Append durably, then answer. */
        RECORD,
        /** Answer 2xx, record nothing (an event type Ricochet does not use). */
        IGNORE,
        /** Answer 4xx, record nothing (bad signature, malformed request). */
        REJECT,
        /** Authenticated but unusable: keep it in the journal as a dead letter with the reason, then answer. */
        DEAD_LETTER
    }

    /**
     * @param conversion to record.
     * @return a RECORD outcome answered 200 once durable.
     */
    public static IntakeOutcome record(final Conversion conversion)
    {
        return new IntakeOutcome(Action.RECORD, conversion, 200, "accepted");
    }

    /**
     * @param reason why nothing is recorded.
     * @return an IGNORE outcome answered 200.
     */
    public static IntakeOutcome ignore(final String reason)
    {
        return new IntakeOutcome(Action.IGNORE, null, 200, reason);
    }

    /**
     * @param status  4xx status.
     * @param message what is wrong.
     * @return a REJECT outcome.
     */
    public static IntakeOutcome reject(final int status, final String message)
    {
        return new IntakeOutcome(Action.REJECT, null, status, message);
    }

    /**
     * @param status status to answer once the dead letter is durable: 2xx where a retry cannot help (the sender
     *               would retry forever), 4xx where the sender should see its error.
     * @param reason why it could not be used.
     * @return a DEAD_LETTER outcome.
     */
    public static IntakeOutcome deadLetter(final int status, final String reason)
    {
        return new IntakeOutcome(Action.DEAD_LETTER, null, status, reason);
    }
}
