package dev.ricochet.ingest;

import java.nio.charset.StandardCharsets;

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

    private static final String OUT_OF_MEMORY = "out of memory (OutOfMemoryError)";
    private static final byte[] OUT_OF_MEMORY_LINE =
        ("ricochet: FATAL " + OUT_OF_MEMORY + "\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OUT_OF_MEMORY_HALT_LINE = ("ricochet: FATAL " + OUT_OF_MEMORY +
        "; halting with status " + EXIT_STATUS + "\n").getBytes(StandardCharsets.US_ASCII);

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
     * If the error is fatal ({@link #isFatal}), fail the process. Allocates nothing on the way to the halt (the heap
     * is exhausted: building a message here threw a second OutOfMemoryError and nothing halted).
     *
     * @param error what was thrown.
     * @return true if it was fatal.
     */
    public static boolean failIfFatal(final Throwable error)
    {
        if (!isFatal(error))
        {
            return false;
        }
        if (null == reason)
        {
            reason = OUT_OF_MEMORY;
        }
        try
        {
            System.err.write(halt ? OUT_OF_MEMORY_HALT_LINE : OUT_OF_MEMORY_LINE, 0,
                halt ? OUT_OF_MEMORY_HALT_LINE.length : OUT_OF_MEMORY_LINE.length);
            System.err.flush();
        }
        catch (final Throwable ignored)
        {
            // the halt below is what matters
        }
        finally
        {
            if (halt)
            {
                Runtime.getRuntime().halt(EXIT_STATUS);
            }
        }
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
        try
        {
            System.err.println("ricochet: FATAL " + why + (halt ? "; halting with status " + EXIT_STATUS : ""));
            System.err.flush();
        }
        catch (final Throwable ignored)
        {
            // the halt below is what matters
        }
        finally
        {
            if (halt)
            {
                Runtime.getRuntime().halt(EXIT_STATUS);
            }
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
