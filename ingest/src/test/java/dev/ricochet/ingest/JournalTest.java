package dev.ricochet.ingest;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalTest
{
    private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);

    @TempDir
    Path dir;

    @Test
    void shouldRunWithChronicleAnalyticsDisabled()
    {
        // The build and the launcher set it; a test JVM without it would phone home on first queue.
        assertEquals("true", System.getProperty(Journal.ANALYTICS_DISABLE_PROP_NAME));
    }

    @Test
    void shouldRefuseToOpenWhenAnalyticsAreExplicitlyOn()
    {
        final String previous = System.getProperty(Journal.ANALYTICS_DISABLE_PROP_NAME);
        System.setProperty(Journal.ANALYTICS_DISABLE_PROP_NAME, "false");
        try
        {
            assertThrows(IllegalStateException.class, () -> Journal.open(new Journal.Context().dir(dir)));
        }
        finally
        {
            System.setProperty(Journal.ANALYTICS_DISABLE_PROP_NAME, previous);
        }
    }

    @Test
    void shouldDeliverAppendedClicksInOrderWithTheirFields()
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir));
            JournalAppender appender = journal.newAppender();
            JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
        {
            // Given three clicks appended
            for (int i = 1; i <= 3; i++)
            {
                final ClickEventFlyweight click = appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, 1000L * i)
                    .flags(ClickEventFlyweight.FLAG_NEW_VISITOR)
                    .clickId(i, -i)
                    .visitorId(10 + i, 20 + i)
                    .link(100 + i, 200 + i, 300 + i)
                    .ipHash(42)
                    .query("sub1=a&utm_source=x" + i)
                    .referrerHost("news.example.org")
                    .userAgent("Mozilla/5.0 \r\n(evil)");
                assertNotEquals(Journal.NULL_INDEX, appender.append(click.encodedLength()));
            }

            // When polled
            final List<String> seen = new ArrayList<>();
            final ClickEventFlyweight decoder = new ClickEventFlyweight();
            final int count = poller.poll((buffer, length, index) ->
            {
                decoder.wrap(buffer, 0);
                seen.add(decoder.timestampMs() + "|" + decoder.clickIdHi() + "|" + decoder.clickIdLo() + "|" +
                    decoder.visitorIdLo() + "|" + decoder.linkId() + "|" + decoder.partnerId() + "|" +
                    decoder.programId() + "|" + decoder.hasFlag(ClickEventFlyweight.FLAG_NEW_VISITOR) + "|" +
                    decoder.query() + "|" + decoder.referrerHost() + "|" + decoder.userAgent());
            }, 10);

            // Then every field round-trips and control characters never reach the journal
            assertEquals(3, count);
            assertEquals("2000|2|-2|22|102|202|302|true|sub1=a&utm_source=x2|news.example.org|Mozilla/5.0 ??(evil)",
                seen.get(1));
        }
    }

    @Test
    void shouldResumeAfterTheSavedIndex()
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir)))
        {
            final long[] indices = new long[5];
            try (JournalAppender appender = journal.newAppender())
            {
                for (int i = 0; i < 5; i++)
                {
                    indices[i] = appender.append(appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, i)
                        .clickId(i, i).encodedLength());
                }
            }

            // When a poller resumes after the third event
            final List<Long> timestamps = new ArrayList<>();
            try (JournalPoller poller = journal.newPoller(indices[2]))
            {
                poller.poll((buffer, length, index) ->
                    timestamps.add(buffer.getLong(EventHeaderDescriptor.TIMESTAMP_OFFSET,
                    EventHeaderDescriptor.BYTE_ORDER)), 100);
                // Then it sees only the fourth and fifth
                assertEquals(List.of(3L, 4L), timestamps);
                assertEquals(indices[4], poller.lastIndex());
            }
        }
    }

    @Test
    void shouldRollToANewFileEachDayAndReadAcrossTheRoll() throws Exception
    {
        // Given a journal whose clock crosses midnight UTC between two appends
        final SetTimeProvider time = new SetTimeProvider(TimeUnit.MILLISECONDS.toNanos(20_000 * DAY_MS + 1000));
        try (Journal journal = Journal.open(new Journal.Context().dir(dir).timeProvider(time));
            JournalAppender appender = journal.newAppender())
        {
            appender.append(appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, 1).encodedLength());
            time.currentTimeMillis(20_001 * DAY_MS + 1000);
            appender.append(appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, 2).encodedLength());

            // Then there are two daily files and a poller reads straight across them
            try (Stream<Path> files = Files.list(dir))
            {
                assertEquals(2, files.filter(f -> f.toString().endsWith(".cq4")).count());
            }
            try (JournalPoller poller = journal.newPoller(Journal.NULL_INDEX))
            {
                assertEquals(2, poller.poll((buffer, length, index) -> { }, 10));
            }
        }
    }

    @Test
    void shouldNameTheMissingIndexWhenResumingFromOneRetentionRemoved()
    {
        try (Journal journal = Journal.open(new Journal.Context().dir(dir)))
        {
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> journal.newPoller(0x1234_0000_0000L));
            assertTrue(ex.getMessage().contains("not found"), ex.getMessage());
        }
    }

    @Test
    void shouldNameItsRollCycleSettingWhenItNamesNoRollCycle()
    {
        final IllegalArgumentException thrown =
            assertThrows(IllegalArgumentException.class, () -> Journal.rollCycle("FORTNIGHTLY"));
        assertTrue(thrown.getMessage().startsWith(Journal.ROLL_CYCLE_PROP_NAME + "=FORTNIGHTLY"), thrown.getMessage());
    }

    @Test
    void shouldRollEverySecondWithTheCrashSuitesRollCycle()
    {
        // Given a journal on the crash suite's roll cycle and a clock the test moves
        final SetTimeProvider time = new SetTimeProvider(DAY_MS * 20_000);
        try (Journal journal = Journal.open(new Journal.Context().dir(dir).rollCycle(Journal.rollCycle("TEST_SECONDLY"))
            .timeProvider(time));
            JournalAppender appender = journal.newAppender())
        {
            // When events are appended two seconds apart
            final long first = appender.append(appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, 1).encodedLength(
                ));
            time.advanceMillis(2_000);
            final long second = appender.append(appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, 2).encodedLength(
                ));

            // Then they are in different cycles, and the default is the daily cycle
            final RollCycle secondly = Journal.rollCycle("TEST_SECONDLY");
            assertEquals(secondly.toCycle(first) + 2, secondly.toCycle(second));
            assertEquals("FAST_DAILY", Journal.configuredRollCycle().toString());
        }
    }
}
