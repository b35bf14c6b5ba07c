package dev.ricochet.benchmarks.aggregator;

import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Writes a reproducible journal of partner traffic with the real appender and flyweights: the catalog first, then
 * clicks and about 1% conversions in time order, over 30 days unless told otherwise.
 *
 * <p>The catalog is one program with two tiers, {@link #PARTNERS} partners and {@link #LINKS_PER_PARTNER} links
 * each, so catalog numbers are program 1, partners 1..1,000 and links 1..10,000 (numbers follow journal order).
 * Traffic, per event: 99% clicks on a uniformly random link, of which 1% link previews, 3% bots, 60% from a new
 * visitor and the rest from one of the last 65,536 visitors; 1% conversions, of which 85% sales (95% carry the
 * click id of one of the last 65,536 real clicks, hours before), 10% leads and 5% partial refunds of a recent sale.
 * Clicks encode to 78 to 128 bytes. The seed makes two journals of the same size identical.
 */
public final class SyntheticJournal
{
    /**
     * Length of a day.
     */
    public static final long DAY_MS = 86_400_000L;

    /**
     * Time of the first event, 2025-11-08T00:00Z; the 30 days that follow include a monthly tier review day.
     */
    public static final long START_MS = 20_400L * DAY_MS;

    /**
     * Default time between the first and the last event.
     */
    public static final long SPAN_MS = 30 * DAY_MS;

    /**
     * Partners of the program.
     */
    public static final int PARTNERS = 1_000;

    /**
     * Links of each partner.
     */
    public static final int LINKS_PER_PARTNER = 10;

    /**
     * Number of catalog events at the start of the journal: the program, its partners and their links.
     */
    public static final int CATALOG_EVENTS = 1 + PARTNERS + PARTNERS * LINKS_PER_PARTNER;

    private static final String PROGRAM_ID = "shop";
    private static final int PROGRAM_NUMBER = 1;
    private static final int RING_SIZE = 65_536;
    private static final int SALE_RING_SIZE = 1_024;

    // Variable fields: 78 fixed bytes plus 0 to 50 here keeps every click between 78 and 128 bytes.
    private static final String[] QUERIES = { "", "sub=7", "utm_source=news", "utm_source=x&sub=42" };
    private static final String[] REFERRER_HOSTS = { "", "t.co", "google.com", "www.reddit.com" };
    private static final String[] USER_AGENTS = { "Mozilla/5.0", "curl/8.5.0", "Mozilla/5.0 (X11)", "Googlebot" };

    /**
     * What was written.
     *
     * @param events      all events, catalog included.
     * @param clicks      click events (previews and bots included).
     * @param conversions conversion events (sales, leads, refunds).
     */
    public record Summary(long events, long clicks, long conversions)
    {
    }

    private final SplittableRandom random;
    private final long spanMs;
    private final UnsafeBuffer conversionBuffer = new UnsafeBuffer(new byte[ConversionEventFlyweight.MAX_LENGTH]);
    private final UnsafeBuffer catalogBuffer = new UnsafeBuffer(new byte[1024]);
    private final ConversionEventFlyweight conversion = new ConversionEventFlyweight();
    private final long[] visitorHi = new long[RING_SIZE];
    private final long[] visitorLo = new long[RING_SIZE];
    private final long[] clickHi = new long[RING_SIZE];
    private final long[] clickLo = new long[RING_SIZE];
    private final long[] sales = new long[SALE_RING_SIZE];
    private long visitors;
    private long realClicks;
    private long saleCount;
    private long orderNumber;

    private SyntheticJournal(final long seed, final long spanMs)
    {
        this.random = new SplittableRandom(seed);
        this.spanMs = spanMs;
    }

    /**
     * Append the catalog and then traffic to a journal, on the calling thread.
     *
     * @param journal journal to append to, normally empty.
     * @param events  total events to write, catalog included; at least {@link #CATALOG_EVENTS}.
     * @param seed    seed of the traffic.
     * @param spanMs  time from the first to the last event, normally {@link #SPAN_MS}.
     * @return counts of what was written.
     */
    public static Summary write(final Journal journal, final long events, final long seed, final long spanMs)
    {
        if (events < CATALOG_EVENTS)
        {
            throw new IllegalArgumentException("at least " + CATALOG_EVENTS + " events: the catalog comes first");
        }
        try (JournalAppender appender = journal.newAppender())
        {
            return new SyntheticJournal(seed, spanMs).write(appender, events);
        }
    }

    private Summary write(final JournalAppender appender, final long events)
    {
        writeCatalog(appender);
        final long traffic = events - CATALOG_EVENTS;
        long clicks = 0;
        long conversions = 0;
        for (long i = 0; i < traffic; i++)
        {
            final long timeMs = START_MS + i * spanMs / traffic;
            if (0 == random.nextInt(100) && realClicks > 0)
            {
                appendConversion(appender, timeMs);
                conversions++;
            }
            else
            {
                appendClick(appender, timeMs);
                clicks++;
            }
        }
        return new Summary(events, clicks, conversions);
    }

    private void writeCatalog(final JournalAppender appender)
    {
        appendCatalog(appender, CatalogEventFlyweight.KIND_PROGRAM, "{\"id\":\"" + PROGRAM_ID + "\",\"number\":0," +
            "\"spec\":{\"name\":\"Shop\",\"currency\":\"USD\",\"clickParam\":\"rcid\"," +
            "\"attribution\":{\"model\":\"last_click\",\"windowDays\":30},\"recurringMonths\":12," +
            "\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\",\"leadCommission\":200}," +
            "{\"name\":\"silver\",\"minConversions\":50,\"windowDays\":30,\"commissionPercent\":\"12.5\"," +
            "\"leadCommission\":300}],\"holdDays\":14,\"secrets\":{}}}");
        for (int partner = 1; partner <= PARTNERS; partner++)
        {
            appendCatalog(appender, CatalogEventFlyweight.KIND_PARTNER, "{\"id\":\"" + partnerId(partner) +
                "\",\"number\":0,\"spec\":{\"programId\":\"" + PROGRAM_ID + "\",\"name\":\"Partner " + partner +
                "\",\"status\":\"active\"}}");
        }
        for (int partner = 1; partner <= PARTNERS; partner++)
        {
            for (int link = 1; link <= LINKS_PER_PARTNER; link++)
            {
                appendCatalog(appender, CatalogEventFlyweight.KIND_LINK, "{\"id\":\"" + partnerId(partner) + "-" +
                    link + "\",\"number\":0,\"spec\":{\"partnerId\":\"" + partnerId(partner) +
                    "\",\"destination\":\"https://shop.example/p/" + link + "\"}}");
            }
        }
    }

    private void appendCatalog(final JournalAppender appender, final byte kind, final String json)
    {
        final int length = CatalogEventFlyweight.encode(
            catalogBuffer, 0, START_MS, kind, json.getBytes(StandardCharsets.UTF_8));
        checkAppended(appender.append(catalogBuffer, 0, length));
    }

    private void appendClick(final JournalAppender appender, final long timeMs)
    {
        // Links are numbered partner by partner, so a link's partner follows from its number.
        final int link = 1 + random.nextInt(PARTNERS * LINKS_PER_PARTNER);
        final int partner = 1 + (link - 1) / LINKS_PER_PARTNER;
        final int kind = random.nextInt(100);
        short flags = 0 == kind ? ClickEventFlyweight.FLAG_PREVIEW : kind < 4 ? ClickEventFlyweight.FLAG_BOT : 0;

        final int visitor;
        if (0 == visitors || random.nextInt(100) < 60)
        {
            visitor = (int)(visitors++ % RING_SIZE);
            visitorHi[visitor] = random.nextLong();
            visitorLo[visitor] = random.nextLong();
            flags |= ClickEventFlyweight.FLAG_NEW_VISITOR;
        }
        else
        {
            visitor = random.nextInt((int)Math.min(visitors, RING_SIZE));
        }

        // The id layout of IdGenerator: time in the high bits, so ids sort by time.
        final long idHi = (timeMs << 16) | random.nextInt(65_536);
        final long idLo = random.nextLong();
        final ClickEventFlyweight click = appender.claimClick(EventHeaderDescriptor.TYPE_CLICK, timeMs)
            .flags(flags)
            .clickId(idHi, idLo)
            .visitorId(visitorHi[visitor], visitorLo[visitor])
            .link(link, partner, PROGRAM_NUMBER)
            .ipHash(random.nextLong())
            .query(QUERIES[random.nextInt(QUERIES.length)])
            .referrerHost(REFERRER_HOSTS[random.nextInt(REFERRER_HOSTS.length)])
            .userAgent(USER_AGENTS[random.nextInt(USER_AGENTS.length)]);
        checkAppended(appender.append(click.encodedLength()));

        if (0 == (flags & (ClickEventFlyweight.FLAG_PREVIEW | ClickEventFlyweight.FLAG_BOT)))
        {
            final int slot = (int)(realClicks++ % RING_SIZE);
            clickHi[slot] = idHi;
            clickLo[slot] = idLo;
        }
    }

    private void appendConversion(final JournalAppender appender, final long timeMs)
    {
        final int kind = random.nextInt(100);
        final int length;
        if (kind >= 95 && saleCount > 0)
        {
            final long sale = sales[random.nextInt((int)Math.min(saleCount, SALE_RING_SIZE))];
            length = conversion.wrapForEncode(conversionBuffer, 0, timeMs, timeMs, ConversionEventFlyweight.KIND_REFUND,
                ConversionEventFlyweight.SOURCE_API, PROGRAM_NUMBER, "USD", 100 + random.nextInt(1_000))
                .ids("r-" + orderNumber++, "o-" + sale, null, null)
                .encodedLength();
        }
        else
        {
            final boolean isLead = kind >= 85;
            final long order = orderNumber++;
            final byte conversionKind =
                isLead ? ConversionEventFlyweight.KIND_LEAD : ConversionEventFlyweight.KIND_SALE;
            final long amount = isLead ? 0 : 1_000 + random.nextInt(20_000);
            conversion.wrapForEncode(conversionBuffer, 0, timeMs, timeMs, conversionKind,
                ConversionEventFlyweight.SOURCE_API, PROGRAM_NUMBER, "USD", amount);
            if (isLead || 0 != random.nextInt(20))
            {
                final int slot = random.nextInt((int)Math.min(realClicks, RING_SIZE));
                conversion.clickId(clickHi[slot], clickLo[slot]);
            }
            length = conversion.ids("o-" + order, null, null, null).encodedLength();
            if (!isLead)
            {
                sales[(int)(saleCount++ % SALE_RING_SIZE)] = order;
            }
        }
        checkAppended(appender.append(conversionBuffer, 0, length));
    }

    private static String partnerId(final int partner)
    {
        return "partner-" + partner;
    }

    private static void checkAppended(final long index)
    {
        if (Journal.NULL_INDEX == index)
        {
            throw new IllegalStateException("journal append failed");
        }
    }
}
