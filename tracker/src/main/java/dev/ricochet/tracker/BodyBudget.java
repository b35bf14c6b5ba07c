package dev.ricochet.tracker;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies in flight across all of the edge's connections: a body's bytes are reserved as they
 * arrive (never from its declared Content-Length) and returned when the body is used, refused or its connection
 * closes. A body whose next bytes would pass the budget is refused with 503 and Retry-After, so that many connections
 * each sending (or trickling) up to the per-body cap cannot together exhaust the heap.
 */
final class BodyBudget
{
    private final long maxBytes;
    private final AtomicLong inFlightBytes = new AtomicLong();

    BodyBudget(final long maxBytes)
    {
        this.maxBytes = maxBytes;
    }

    /**
     * @param bytes just arrived for a body.
     * @return true if they fit and are now reserved; false (nothing reserved) if they would pass the budget.
     */
    boolean tryReserve(final int bytes)
    {
        long current;
        do
        {
            current = inFlightBytes.get();
            if (current + bytes > maxBytes)
            {
                return false;
            }
        }
        while (!inFlightBytes.compareAndSet(current, current + bytes));
        return true;
    }

    /**
     * @param bytes reserved earlier by {@link #tryReserve(int)}.
     */
    void release(final long bytes)
    {
        inFlightBytes.addAndGet(-bytes);
    }

    /**
     * @return bytes of bodies in flight now.
     */
    long inFlightBytes()
    {
        return inFlightBytes.get();
    }

    /**
     * @return the budget.
     */
    long maxBytes()
    {
        return maxBytes;
    }
}
