package dev.ricochet.ingest;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The flyweights check every length they will follow when they wrap an event, so no getter reads past it; what
 * {@link JournalDecoderFuzzTest} fuzzes, one named case each.
 */
class EventDecodingTest
{
    private static final long T = 1_763_700_000_000L;

    @Test
    void readsEveryFieldOfAnEventGivenExactlyItsOwnBytes()
    {
        // Given a click encoded, then copied into a buffer of exactly its length
        final UnsafeBuffer encodeBuffer = new UnsafeBuffer(new byte[ClickEventFlyweight.MAX_LENGTH]);
        final int length = new ClickEventFlyweight().wrapForEncode(encodeBuffer, 0, EventHeaderDescriptor.TYPE_CLICK, T)
            .clickId(1, 2).query("utm_source=x").referrerHost("news.example.org").userAgent("Mozilla/5.0")
            .encodedLength();
        final UnsafeBuffer exact = new UnsafeBuffer(Arrays.copyOf(encodeBuffer.byteArray(), length));

        // When it is wrapped and read
        final ClickEventFlyweight click = new ClickEventFlyweight().wrap(exact, 0, length);

        // Then every field is there
        assertEquals("utm_source=x|news.example.org|Mozilla/5.0",
            click.query() + "|" + click.referrerHost() + "|" + click.userAgent());
    }

    @Test
    void refusesAClickWhoseUserAgentRunsPastTheEvent()
    {
        // Given a click whose last field's length prefix claims more than the event holds
        final byte[] event = encodedClick("Mozilla/5.0");
        final UnsafeBuffer buffer = new UnsafeBuffer(event);
        buffer.putShort(event.length - 2 - "Mozilla/5.0".length(), (short)1_000, EventHeaderDescriptor.BYTE_ORDER);

        // Then wrapping refuses it, before any getter could read past the event
        final MalformedEventException refused = assertThrows(MalformedEventException.class,
            () -> new ClickEventFlyweight().wrap(buffer, 0, event.length));
        assertEquals("variable field 2 runs past the end of its event", refused.getMessage());
    }

    @Test
    void refusesAnEventClaimingMoreBytesThanItsJournalDocumentHolds()
    {
        final byte[] event = encodedClick("Mozilla/5.0");
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
        buffer.putBytes(0, event);

        // The buffer is larger (the poller reuses one), but only the document's bytes belong to the event
        assertThrows(MalformedEventException.class, () -> new ClickEventFlyweight().wrap(buffer, 0, event.length - 1));
    }

    @Test
    void refusesACatalogEventWhoseDocumentLengthIsNegativeOrHuge()
    {
        // Unchecked, document() would allocate a negative or a 2 GB array
        for (final int documentLength : new int[]{ -1, Integer.MAX_VALUE, 1 << 20 })
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
            final int length = CatalogEventFlyweight.encode(
                buffer, 0, T, CatalogEventFlyweight.KIND_LINK, "{}".getBytes(StandardCharsets.UTF_8));
            buffer.putInt(
                CatalogEventFlyweight.DOCUMENT_LENGTH_OFFSET, documentLength, EventHeaderDescriptor.BYTE_ORDER);

            assertThrows(MalformedEventException.class, () -> new CatalogEventFlyweight().wrap(buffer, 0, length),
                "document length " + documentLength);
        }
    }

    @Test
    void refusesADeadLetterWhoseBodyLengthRunsPastTheEvent()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[EventHeaderDescriptor.MAX_EVENT_LENGTH]);
        final int length = DeadLetterEventFlyweight.encode(buffer, 0, T, ConversionEventFlyweight.SOURCE_STRIPE, 3,
            "body is not JSON", new byte[]{ '{' });
        buffer.putInt(length - 1 - 4, 2, EventHeaderDescriptor.BYTE_ORDER);

        assertThrows(MalformedEventException.class, () -> new DeadLetterEventFlyweight().wrap(buffer, 0, length));
    }

    @Test
    void refusesToReadAnEventAsAnotherType()
    {
        final byte[] event = encodedClick("Mozilla/5.0");

        assertThrows(MalformedEventException.class,
            () -> new ConversionEventFlyweight().wrap(new UnsafeBuffer(event), 0, event.length));
    }

    private static byte[] encodedClick(final String userAgent)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ClickEventFlyweight.MAX_LENGTH]);
        final int length = new ClickEventFlyweight().wrapForEncode(buffer, 0, EventHeaderDescriptor.TYPE_CLICK, T)
            .query("").referrerHost("").userAgent(userAgent).encodedLength();
        return Arrays.copyOf(buffer.byteArray(), length);
    }
}
