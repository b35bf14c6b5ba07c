package dev.ricochet.tracker.conversion;

import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.Money;
import dev.ricochet.ingest.ProgramDirectory;
import dev.ricochet.ingest.ProgramRoute;
import dev.ricochet.tracker.TrackerCounter;
import dev.ricochet.tracker.TrackerCounters;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;
import java.util.Map;

/**
 * Decides whether a pixel hit reports a conversion ({@code /p.gif?e=conversion&program=..&order_id=..&amount=..}) and
 * encodes it as a browser-reported conversion ({@link ConversionEventFlyweight#SOURCE_PIXEL}), to be journaled next to
 * the pixel hit. The aggregator credits it only through the visitor's earlier real clicks; it reads no HTTP.
 *
 * <p>The rules: only '&amp;' separates parameters; {@code e} must be exactly {@code conversion}; a parameter given
 * twice drops the report (which value would the page have meant?); the amount is a plain integer within
 * {@link Money#MAX_AMOUNT} (anyone can load the pixel), else the report is dropped and counted; the program must be
 * known and take pixel conversions, the order id present and the order id and coupon within their bounds in UTF-8 bytes
 * ({@link ConversionEventFlyweight#MAX_ID_LENGTH}, {@link ConversionEventFlyweight#MAX_COUPON_LENGTH}) without control
 * characters or unpaired surrogates (the webhook intake's rules), and a currency, if given, the program's;
 * {@code kind=lead} is a lead, anything else a sale. The query read is the
 * one the pixel hit journals (unprintable characters as '?'), so the report and the hit say the same; a query longer
 * than the hit keeps ({@link ClickEventFlyweight#MAX_QUERY_LENGTH} characters) reports nothing, since its journaled
 * form is cut and a report read from it is not the page's.
 *
 * <p>One per channel, created on its first report; not thread-safe. Allocates, but only for a hit that reports one.
 */
public final class PixelConversions
{
    private static final String REPORT = "e=conversion";

    private final ProgramDirectory programs;
    private final TrackerCounters counters;
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[ConversionEventFlyweight.MAX_LENGTH]);
    private final ConversionEventFlyweight conversion = new ConversionEventFlyweight();

    /**
     * @param programs program routes, with their currency and whether they take pixel conversions.
     * @param counters edge counters, for the reports dropped for their amount.
     */
    public PixelConversions(final ProgramDirectory programs, final TrackerCounters counters)
    {
        this.programs = programs;
        this.counters = counters;
    }

    /**
     * @param uri        the request target.
     * @param queryStart index of the query's first character in it.
     * @return true if the query may report a conversion (it holds {@code e=conversion}); no allocation.
     */
    public static boolean mayReport(final String uri, final int queryStart)
    {
        return queryStart < uri.length() && uri.indexOf(REPORT, queryStart) >= 0;
    }

    /**
     * Decide the report and encode it in {@link #buffer()}.
     *
     * @param uri        the request target.
     * @param queryStart index of the query's first character in it.
     * @param nowMs      the edge's receive time: the conversion's time and receive time.
     * @param visitorHi  the visitor id's high half.
     * @param visitorLo  the visitor id's low half.
     * @return the encoded length, or 0 if the hit reports no conversion that can be taken.
     */
    public int decide(
        final String uri, final int queryStart, final long nowMs, final long visitorHi, final long visitorLo)
    {
        if (uri.length() - queryStart > ClickEventFlyweight.MAX_QUERY_LENGTH)
        {
            // The hit journals only the query's first MAX_QUERY_LENGTH characters: a report read from them was not
            // the page's (order_id=trunc-1234 past the cut was booked as order "trun", a cut-off amount as 0).
            return 0;
        }
        final Map<String, List<String>> parameters = parameters(journaledQuery(uri, queryStart));
        // The report is the parameter e=conversion, not any text containing it (page=conversion); a parameter given
        // twice is ambiguous (which value would the page have meant?), so such a report is dropped.
        if (null == parameters || !"conversion".equals(first(parameters, "e")) ||
            parameters.values().stream().anyMatch(v -> v.size() > 1))
        {
            return 0;
        }
        final long amount = amount(first(parameters, "amount"));
        if (amount < 0)
        {
            counters.increment(TrackerCounter.PIXEL_AMOUNTS_REFUSED);
            return 0;
        }
        final String programId = first(parameters, "program");
        final ProgramRoute program = null == programId ? null : programs.lookup(programId);
        final String orderId = first(parameters, "order_id");
        final String currency = first(parameters, "currency");
        final String coupon = first(parameters, "coupon");
        // The order id and coupon are held to the webhook intake's rules (ConversionValidation): at most their bound
        // in UTF-8 bytes, not characters (a longer one was cut mid-character, so two orders became one), and no
        // control character ("%00", "%0A" were booked into the id the ledger and its exports carry).
        if (null == program || !program.pixelConversions() || null == orderId ||
            null != ConversionValidation.checkText("order_id", orderId, true, ConversionEventFlyweight.MAX_ID_LENGTH) ||
            null != ConversionValidation.checkText(
                "coupon", coupon, false, ConversionEventFlyweight.MAX_COUPON_LENGTH) ||
            (null != currency && !currency.equalsIgnoreCase(program.currency())))
        {
            return 0;
        }
        final byte kind = "lead".equals(first(parameters, "kind")) ? ConversionEventFlyweight.KIND_LEAD :
            ConversionEventFlyweight.KIND_SALE;
        return conversion.wrapForEncode(buffer, 0, nowMs, nowMs, kind, ConversionEventFlyweight.SOURCE_PIXEL,
                program.programNumber(), program.currency(), amount)
            .visitorId(visitorHi, visitorLo)
            .ids(orderId, null, null, coupon)
            .encodedLength();
    }

    /**
     * @return the buffer the last decided conversion is encoded in, from offset 0.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the query as the pixel hit journals it: at most {@link ClickEventFlyweight#MAX_QUERY_LENGTH}
     * characters, each outside printable ASCII as '?'.
     */
    static String journaledQuery(final String uri, final int queryStart)
    {
        final int end = Math.min(uri.length(), queryStart + ClickEventFlyweight.MAX_QUERY_LENGTH);
        final char[] query = new char[end - queryStart];
        for (int i = 0; i < query.length; i++)
        {
            final char c = uri.charAt(queryStart + i);
            query[i] = c >= 0x20 && c < 0x7f ? c : '?';
        }
        return new String(query);
    }

    private static Map<String, List<String>> parameters(final String query)
    {
        try
        {
            // Only '&' separates parameters (WHATWG URL): "e=conversion;amount=1" is one parameter, not two.
            return QueryStringDecoder.builder().hasPath(false).semicolonIsNormalChar(true).build(query).parameters();
        }
        catch (final IllegalArgumentException ex)
        {
            return null; // a malformed escape in a browser's query: not a usable report
        }
    }

    /**
     * @return the amount, 0 if absent, or -1 if it is no plain integer ("+5", "0100", "١٠٠": one spelling per
     * number) or past the bound (amount=Long.MAX_VALUE booked a commission of 9x10^17).
     */
    private static long amount(final String text)
    {
        if (null == text)
        {
            return 0;
        }
        if (!Money.isPlainInteger(text))
        {
            return -1;
        }
        try
        {
            final long amount = Long.parseLong(text);
            return Money.isWithinBound(amount) ? amount : -1;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static String first(final Map<String, List<String>> parameters, final String name)
    {
        final List<String> values = parameters.get(name);
        return null == values || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }
}
