package dev.ricochet.ingest;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Appends events that must be on disk before they are acknowledged (conversions, catalog changes), with a grouped
 * sync: one thread owns an appender, appends everything queued since its last pass, msyncs once, then completes
 * each request. Requests arriving within the same ~millisecond share one msync (~0.4 ms here), which is what makes
 * "2xx only once durable" affordable.
 *
 * <p>Usage from any thread: {@code writer.offer(eventBytes, length, index -> respond(index))}. The completion runs on
 * the writer thread with the journal index, or {@link Journal#NULL_INDEX} if the append or the sync failed, in which
 * case nothing may be acknowledged.
 */
public final class DurableJournalWriter implements AutoCloseable
{
    /**
     * Receives the outcome of one durable append.
     */
    @FunctionalInterface
    public interface Completion
    {
        /**
         * @param index journal index of the durable event, or {@link Journal#NULL_INDEX} if it is not durable.
         */
        void onComplete(long index);
    }

    private record Request(byte[] event, int length, Completion completion)
    {
    }

    private static final int QUEUE_CAPACITY = 16_384;
    private static final int MAX_BATCH = 1024;

    private final ManyToOneConcurrentArrayQueue<Request> requests = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile RuntimeException startFailure;

    /**
     * Start the writer thread with its own appender.
     *
     * @param journal  to append to.
     * @param name     thread name.
     */
    public DurableJournalWriter(final Journal journal, final String name)
    {
        thread = new Thread(() -> run(journal), name);
        thread.setDaemon(true);
        thread.start();
        try
        {
            started.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (null != startFailure)
        {
            throw startFailure;
        }
    }

    /**
     * Queue an event for a durable append.
     *
     * @param event      the encoded event; not modified afterwards by the caller.
     * @param length     its length.
     * @param completion told the outcome, on the writer thread.
     * @return false if the writer is overloaded or closed: answer 503 and let the sender retry.
     */
    public boolean offer(final byte[] event, final int length, final Completion completion)
    {
        // Under the lock with close(): once the writer has stopped, nothing can be queued and left unanswered.
        synchronized (requests)
        {
            return running && requests.offer(new Request(event, length, completion));
        }
    }

    private void run(final Journal journal)
    {
        final JournalAppender appender;
        try
        {
            appender = journal.newAppender();
        }
        catch (final RuntimeException ex)
        {
            startFailure = ex;
            started.countDown();
            return;
        }
        started.countDown();

        final IdleStrategy idle = new BackoffIdleStrategy(
            100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(200));
        final List<Request> batch = new ArrayList<>(MAX_BATCH);
        final long[] indices = new long[MAX_BATCH];
        try (appender)
        {
            while (running || !requests.isEmpty())
            {
                requests.drain(batch::add, MAX_BATCH);
                if (batch.isEmpty())
                {
                    idle.idle();
                    continue;
                }
                idle.reset();
                writeBatch(appender, batch, indices);
                batch.clear();
            }
        }
        catch (final Throwable ex)
        {
            // The writer cannot go on: refuse new requests and tell every waiting one that nothing is durable.
            synchronized (requests)
            {
                running = false;
            }
            batch.forEach(request -> failQuietly(request.completion()));
            requests.drain(request -> failQuietly(request.completion()));
            throw ex;
        }
    }

    private static void failQuietly(final Completion completion)
    {
        try
        {
            completion.onComplete(Journal.NULL_INDEX);
        }
        catch (final RuntimeException ignore)
        {
            // the requester is gone; nothing else to tell
        }
    }

    private static void writeBatch(final JournalAppender appender, final List<Request> batch, final long[] indices)
    {
        boolean synced;
        for (int i = 0; i < batch.size(); i++)
        {
            final Request request = batch.get(i);
            indices[i] = appender.append(new UnsafeBuffer(request.event()), 0, request.length());
        }
        try
        {
            appender.sync();
            synced = true;
        }
        catch (final RuntimeException ex)
        {
            synced = false;
        }
        for (int i = 0; i < batch.size(); i++)
        {
            try
            {
                batch.get(i).completion().onComplete(synced ? indices[i] : Journal.NULL_INDEX);
            }
            catch (final Throwable ignore)
            {
                // A failing completion must not stop the acknowledgement of the others, nor be completed twice.
            }
        }
    }

    @Override
    public void close()
    {
        // Requests already queued are still written and completed before the thread ends.
        synchronized (requests)
        {
            running = false;
        }
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
