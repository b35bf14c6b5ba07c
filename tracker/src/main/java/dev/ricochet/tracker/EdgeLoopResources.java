package dev.ricochet.tracker;

import dev.ricochet.ingest.IdGenerator;
import dev.ricochet.ingest.JournalAppender;

/**
 * What one event loop owns alone: its journal appender and id generator (neither is thread-safe).
 */
final class EdgeLoopResources
{
    final JournalAppender appender;
    final IdGenerator ids = new IdGenerator();

    EdgeLoopResources(final JournalAppender appender)
    {
        this.appender = appender;
    }
}
