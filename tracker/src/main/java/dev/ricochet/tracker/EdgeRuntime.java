package dev.ricochet.tracker;

import dev.ricochet.ingest.DurableJournalWriter;
import dev.ricochet.ingest.JournalSpaceMonitor;
import dev.ricochet.tracker.conversion.ConversionIntake;

/**
 * The services the edge runs on, built once from its concluded settings and shared by every channel: the rate
 * limiters, the body budget, the journal's free-space watch, the overload probes, the yauaa verdicts, the grouped-sync
 * writer and the conversion intake on it, and the operators' endpoints. {@link TrackerChannelInitializer} hands each
 * to the collaborator that needs it; nothing reaches them through the settings.
 */
final class EdgeRuntime implements AutoCloseable
{
    final RateLimits rateLimits;
    final BodyBudget bodyBudget;
    final JournalSpaceMonitor journalSpace;
    final JournalSpaceGate journalSpaceGate;
    final EdgeOverload overload = new EdgeOverload();
    final UserAgentVerdicts userAgentVerdicts;
    final DurableJournalWriter durableWriter;
    final ConversionIntake conversionIntake;
    final StatusEndpoints statusEndpoints;

    /**
     * @param settings   concluded settings.
     * @param writerName thread name of the grouped-sync writer.
     */
    EdgeRuntime(final TrackerSettings<?> settings, final String writerName)
    {
        rateLimits = settings.rateLimits().newRateLimits();
        bodyBudget = new BodyBudget(settings.bodiesInFlightMaxBytes());
        journalSpace = new JournalSpaceMonitor(
            settings.journalMinFreeBytes(), settings.journalUsableSpace(), settings.errorHandler());
        journalSpaceGate = new JournalSpaceGate(
            journalSpace, settings.onLowSpace(), settings.clickDurability(), settings.counters());
        userAgentVerdicts = BotClassifierKind.YAUAA == settings.botClassifier() ? UserAgentVerdicts.shared() : null;
        durableWriter = new DurableJournalWriter(settings.journal(), writerName);
        conversionIntake = new ConversionIntake(
            durableWriter, settings.programDirectory(), settings.epochClock(), settings.counters());
        statusEndpoints = new StatusEndpoints(settings.counters(), journalSpace, overload, userAgentVerdicts);
    }

    /**
     * Stops the grouped-sync writer once what is queued is written; after the event loops, so that no request can
     * queue more.
     */
    @Override
    public void close()
    {
        durableWriter.close();
    }
}
