package dev.ricochet.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Fuzzes the journal's decoders: whatever the bytes, each flyweight either refuses them at {@code wrap} with a
 * {@link MalformedEventException} or decodes them with every getter inside the event. In the normal build the seeds
 * in {@code src/test/resources/dev/ricochet/ingest/JournalDecoderFuzzTestInputs/} run as regression cases; README
 * ("Fuzzing") has the command that fuzzes for real.
 */
class JournalDecoderFuzzTest
{
    @FuzzTest
    void decodesAnyBytesOrRefusesThemAtWrap(final byte[] bytes)
    {
        // Given exactly the fuzzed bytes: Agrona's bounds checks turn a read past them into an
        // IndexOutOfBoundsException, which fails the test as would any exception but the documented refusal.
        final String[] decoded = decodeAsEveryType(new UnsafeBuffer(bytes), bytes.length);

        // Then nothing is read past the event's own length either: cut to that length, it decodes the same.
        if (bytes.length >= EventHeaderDescriptor.HEADER_LENGTH)
        {
            final int eventLength = new UnsafeBuffer(bytes)
                .getShort(EventHeaderDescriptor.LENGTH_OFFSET, EventHeaderDescriptor.BYTE_ORDER) & 0xFFFF;
            if (eventLength >= EventHeaderDescriptor.HEADER_LENGTH && eventLength <= bytes.length)
            {
                assertArrayEquals(decoded,
                    decodeAsEveryType(new UnsafeBuffer(Arrays.copyOf(bytes, eventLength)), eventLength));
            }
        }
    }

    /**
     * @return per flyweight, every field it decodes, or "refused".
     */
    static String[] decodeAsEveryType(final DirectBuffer buffer, final int length)
    {
        return new String[]{ decodeClick(buffer, length), decodeConversion(buffer, length),
            decodeCatalog(buffer, length), decodeDeadLetter(buffer, length) };
    }

    private static String decodeClick(final DirectBuffer buffer, final int length)
    {
        final ClickEventFlyweight click;
        try
        {
            click = new ClickEventFlyweight().wrap(buffer, 0, length);
        }
        catch (final MalformedEventException refused)
        {
            return "refused";
        }
        return click.type() + "|" + click.timestampMs() + "|" + click.flags() + "|" + click.clickIdHi() + "|" +
            click.clickIdLo() + "|" + click.visitorIdHi() + "|" + click.visitorIdLo() + "|" + click.linkId() + "|" +
            click.partnerId() + "|" + click.programId() + "|" + click.ipHash() + "|" + click.query() + "|" +
            click.referrerHost() + "|" + click.userAgent();
    }

    private static String decodeConversion(final DirectBuffer buffer, final int length)
    {
        final ConversionEventFlyweight conversion;
        try
        {
            conversion = new ConversionEventFlyweight().wrap(buffer, 0, length);
        }
        catch (final MalformedEventException refused)
        {
            return "refused";
        }
        return conversion.timestampMs() + "|" + conversion.reportedMs() + "|" + conversion.kind() + "|" +
            conversion.source() + "|" + conversion.hasFlag(ConversionEventFlyweight.FLAG_HAS_CLICK_ID) + "|" +
            conversion.programNumber() + "|" + conversion.currency() + "|" + conversion.amountMinor() + "|" +
            conversion.clickIdHi() + "|" + conversion.clickIdLo() + "|" + conversion.visitorIdHi() + "|" +
            conversion.visitorIdLo() + "|" + conversion.externalId() + "|" + conversion.originalExternalId() + "|" +
            conversion.customerId() + "|" + conversion.coupon();
    }

    private static String decodeCatalog(final DirectBuffer buffer, final int length)
    {
        final CatalogEventFlyweight catalog;
        try
        {
            catalog = new CatalogEventFlyweight().wrap(buffer, 0, length);
        }
        catch (final MalformedEventException refused)
        {
            return "refused";
        }
        return catalog.timestampMs() + "|" + catalog.kind() + "|" + Arrays.toString(catalog.document());
    }

    private static String decodeDeadLetter(final DirectBuffer buffer, final int length)
    {
        final DeadLetterEventFlyweight deadLetter;
        try
        {
            deadLetter = new DeadLetterEventFlyweight().wrap(buffer, 0, length);
        }
        catch (final MalformedEventException refused)
        {
            return "refused";
        }
        return deadLetter.timestampMs() + "|" + deadLetter.source() + "|" + deadLetter.programNumber() + "|" +
            deadLetter.reason() + "|" + Arrays.toString(deadLetter.body());
    }
}
