package dev.ricochet.tracker;

import dev.ricochet.ingest.IdGenerator;
import dev.ricochet.ingest.JournalAppender;

/**
 * What one event loop owns alone: its journal appender, id generator and Date header value (none is thread-safe).
 */
final class EdgeLoopResources
{
    final JournalAppender appender;
    final IdGenerator ids = new IdGenerator();
    final HttpDate date = new HttpDate();

    EdgeLoopResources(final JournalAppender appender)
    {
        this.appender = appender;
    }
}
