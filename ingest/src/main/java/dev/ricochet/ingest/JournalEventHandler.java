package dev.ricochet.ingest;

import org.agrona.DirectBuffer;

/**
 * Receives events from a {@link JournalPoller}, in journal order, on the poller's thread.
 *
 * <p>The buffer is reused: decode what is needed with a flyweight during the call and keep no reference to it.
 */
@FunctionalInterface
public interface JournalEventHandler
{
    /**
     * Called once per event.
     *
     * @param buffer holding the event from offset 0.
     * @param length encoded length of the event.
     * @param index  journal index of the event; strictly increasing.
     */
    void onEvent(DirectBuffer buffer, int length, long index);
}
