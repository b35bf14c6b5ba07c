package dev.ricochet.ingest;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What "answered only once durable" rests on: the grouped writer completes an event only after a sync that covers
 * it, and that sync really writes the journal's pages to the device (an msync Linux honours), so nothing acknowledged
 * sits only in the page cache.
 */
class DurableJournalWriterTest
{
    private static final int SENDERS = 4;
    private static final int EVENTS_PER_SENDER = 250;
    private static final long PAGE_KB = 4;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCompleteEachEventOnlyAfterASyncThatCoversIt() throws Exception
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir));
            DurableJournalWriter writer = new DurableJournalWriter(journal, "test-durable"))
        {
            // Given four threads offering events at once, as concurrent conversions do
            final Queue<String> violations = new ConcurrentLinkedQueue<>();
            final CountDownLatch completed = new CountDownLatch(SENDERS * EVENTS_PER_SENDER);
            final Thread[] senders = new Thread[SENDERS];
            for (int s = 0; s < SENDERS; s++)
            {
                senders[s] = new Thread(() ->
                {
                    for (int i = 0; i < EVENTS_PER_SENDER; i++)
                    {
                        final byte[] event = new byte[300];
                        // When each is completed, Then the journal's synced index already covers it
                        while (!writer.offer(event, event.length, index ->
                        {
                            final long synced = journal.lastIndexSynced();
                            if (Journal.NULL_INDEX == index || synced < index)
                            {
                                violations.add("index " + Long.toHexString(index) + " completed with the sync at " +
                                    Long.toHexString(synced));
                            }
                            completed.countDown();
                        }))
                        {
                            Thread.onSpinWait();
                        }
                    }
                });
                senders[s].start();
            }
            assertTrue(completed.await(50, TimeUnit.SECONDS), "every event completed");
            for (final Thread sender : senders)
            {
                sender.join();
            }
            assertEquals(List.of(), List.copyOf(violations));
            assertEquals(journal.lastIndex(), journal.lastIndexSynced());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldLeaveTheEventsItCompletedOnTheDeviceNotOnlyInThePageCache() throws Exception
    {
        final Path smaps = Path.of("/proc/self/smaps");
        Assumptions.assumeTrue(Files.isReadable(smaps), "needs Linux's /proc/self/smaps to see dirty pages");
        try (Journal journal = Journal.open(new Journal.Context().dir(dir));
            DurableJournalWriter writer = new DurableJournalWriter(journal, "test-durable"))
        {
            // Given 200 events of 300 bytes (about 15 pages) offered to the grouped writer
            final CountDownLatch completed = new CountDownLatch(200);
            for (int i = 0; i < 200; i++)
            {
                final byte[] event = new byte[300];
                new UnsafeBuffer(event).putInt(0, i);
                assertTrue(writer.offer(event, event.length, index -> completed.countDown()));
            }

            // When all are completed
            assertTrue(completed.await(50, TimeUnit.SECONDS));

            // Then the journal's mapped file holds at most one dirty page (the file header, rewritten by each append
            // and synced by the next): an msync the kernel ignores would leave all of them dirty until writeback
            final long dirtyKb = dirtyKb(smaps, journal.dir());
            assertTrue(dirtyKb <= PAGE_KB, dirtyKb + " kB of the journal are only in the page cache");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSyncTheRestOfTheChunkAGroupStartedInWhenTheGroupCrossesIntoTheNext() throws Exception
    {
        final Path smaps = Path.of("/proc/self/smaps");
        Assumptions.assumeTrue(Files.isReadable(smaps), "needs Linux's /proc/self/smaps to see dirty pages");
        try (Journal journal = Journal.open(new Journal.Context().dir(dir));
            JournalAppender firstChunkHolder = journal.newAppender();
            JournalAppender appender = journal.newAppender())
        {
            // Given an appender that synced once in the journal's first 64 MiB chunk, and another that keeps that
            // chunk mapped so its dirty pages stay visible
            final UnsafeBuffer event = new UnsafeBuffer(new byte[16 * 1024]);
            firstChunkHolder.append(event, 0, event.capacity());
            appender.append(event, 0, event.capacity());
            appender.sync();

            // When one group of appends runs from that chunk into the next (80 MiB) and is synced
            for (int i = 0; i < 80 * 64; i++)
            {
                event.putInt(0, i);
                appender.append(event, 0, event.capacity());
            }
            appender.sync();

            // Then the whole group is on the device: at most the file header's page, rewritten by every append, and
            // the page the next append goes to are dirty; syncing only the new chunk would leave ~1000 pages dirty
            final long dirtyKb = dirtyKb(smaps, journal.dir());
            assertTrue(dirtyKb <= 2 * PAGE_KB, dirtyKb + " kB of the journal are only in the page cache");
        }
    }

    /**
     * @return kB of the process's mappings of the journal's cycle files that are dirty (written, not on the device).
     */
    private static long dirtyKb(final Path smaps, final Path journalDir) throws IOException
    {
        long kb = 0;
        boolean isJournal = false;
        for (final String line : Files.readAllLines(smaps))
        {
            final int colon = line.indexOf(':');
            final boolean isField = colon > 0 && line.indexOf(' ') > colon;
            if (!isField)
            {
                // A mapping's first line: "address perms offset dev inode path".
                isJournal = line.contains(journalDir.toString()) && line.endsWith(".cq4");
            }
            else if (isJournal && (line.startsWith("Shared_Dirty:") || line.startsWith("Private_Dirty:")))
            {
                kb += Long.parseLong(line.substring(colon + 1).trim().split("\\s+")[0]);
            }
        }
        return kb;
    }
}
