package dev.ricochet.ingest;

/**
 * The process's one verdict that it can no longer serve: an {@link OutOfMemoryError} anywhere, or an event loop of
 * the edge or the admin API that stopped. Either leaves a process that accepts connections and answers some of them
 * but not others (a loop gone deaf, requests half done), which a supervisor cannot see and a restart would cure.
 *
 * <p>{@link #fail} records the reason, which both {@code /readyz} answer with 503 from then on, and prints it; the
 * launcher also asks for a halt ({@link #haltOnFailure()}), so the supervisor sees the exit status
 * {@value #EXIT_STATUS} and restarts the service. Embedded in tests, the process stays up, not ready.
 */
public final class ProcessFailure
{
    /**
     * Exit status of a halt for a failure (EX_SOFTWARE).
     */
    public static final int EXIT_STATUS = 70;

    private static volatile String reason;
    private static volatile boolean halt;

    private ProcessFailure()
    {
    }

    /**
     * Halt the JVM at the first failure: the launcher's choice, for its supervisor.
     */
    public static void haltOnFailure()
    {
        halt = true;
    }

    /**
     * @param error what was thrown.
     * @return true if it leaves the process unable to serve: an {@link OutOfMemoryError}, also as a cause.
     */
    public static boolean isFatal(final Throwable error)
    {
        Throwable cause = error;
        for (int depth = 0; null != cause && depth < 16; depth++)
        {
            if (cause instanceof OutOfMemoryError)
            {
                return true;
            }
            cause = cause.getCause();
        }
        return false;
    }

    /**
     * If the error is fatal ({@link #isFatal}), fail the process.
     *
     * @param where the component that caught it.
     * @param error what was thrown.
     * @return true if it was fatal.
     */
    public static boolean failIfFatal(final String where, final Throwable error)
    {
        if (!isFatal(error))
        {
            return false;
        }
        fail(where + ": " + error);
        return true;
    }

    /**
     * The process can no longer serve: readiness off from now on, and a halt if the launcher asked for one.
     *
     * @param why what happened, for {@code /readyz} and the log.
     */
    public static void fail(final String why)
    {
        if (null == reason)
        {
            reason = why;
        }
        // No allocation-heavy logging: the heap may be exhausted. A plain print, then the halt.
        System.err.println("ricochet: FATAL " + why + (halt ? "; halting with status " + EXIT_STATUS : ""));
        System.err.flush();
        if (halt)
        {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }

    /**
     * @return why the process failed, or null while it has not.
     */
    public static String reason()
    {
        return reason;
    }
}
