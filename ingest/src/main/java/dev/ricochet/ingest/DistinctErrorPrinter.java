package dev.ricochet.ingest;

import org.agrona.ErrorHandler;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Default {@link ErrorHandler}: prints each distinct error (type, message and throwing frame) once, so a storm of
 * the same failure cannot flood the log or slow the event loops; callers count every occurrence themselves.
 */
public final class DistinctErrorPrinter implements ErrorHandler
{
    private static final int MAX_DISTINCT = 1000;

    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final PrintStream out;

    /**
     * @param out where distinct errors are printed.
     */
    public DistinctErrorPrinter(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public void onError(final Throwable throwable)
    {
        final StackTraceElement[] stack = throwable.getStackTrace();
        final String key = throwable.getClass().getName() + ':' + throwable.getMessage() + '@' +
            (stack.length > 0 ? stack[0] : "");
        if (seen.size() < MAX_DISTINCT && seen.add(key))
        {
            synchronized (out)
            {
                out.println("ricochet: error (printed once): " + throwable);
                throwable.printStackTrace(out);
            }
        }
    }
}
