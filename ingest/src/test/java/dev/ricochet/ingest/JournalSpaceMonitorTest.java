package dev.ricochet.ingest;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalSpaceMonitorTest
{
    private final AtomicLong usableBytes = new AtomicLong(100);
    private final List<Throwable> errors = new ArrayList<>();

    @Test
    void shouldBeLowBelowTheWatermarkAndNotAtIt()
    {
        // Given a watermark of 100 bytes
        final JournalSpaceMonitor monitor = new JournalSpaceMonitor(100, usableBytes::get, errors::add);

        // When exactly the watermark is free, then it is not low; one byte less, it is
        monitor.check();
        assertFalse(monitor.isLow());
        usableBytes.set(99);
        monitor.check();
        assertTrue(monitor.isLow());
        assertTrue(monitor.reason().contains("99 bytes free"), monitor.reason());
    }

    @Test
    void shouldReportAnUnreadableFilesystemAndKeepTheLastAnswer()
    {
        // Given a monitor that has seen the disk low
        final boolean[] isReadable = {true};
        final JournalSpaceMonitor monitor = new JournalSpaceMonitor(100, () ->
        {
            if (!isReadable[0])
            {
                throw new UncheckedIOException(new IOException("statfs failed"));
            }
            return 1;
        }, errors::add);
        monitor.check();
        assertTrue(monitor.isLow());

        // When the free space cannot be read
        isReadable[0] = false;
        monitor.check();

        // Then the error is reported and the answer stays as it was
        assertEquals(1, errors.size());
        assertTrue(monitor.isLow());
    }

    @Test
    void shouldNeverBeLowWhenTheWatermarkIsOff()
    {
        final JournalSpaceMonitor monitor = new JournalSpaceMonitor(0, () -> 0, errors::add);
        monitor.check();
        assertFalse(monitor.isEnabled());
        assertFalse(monitor.isLow());
    }
}
