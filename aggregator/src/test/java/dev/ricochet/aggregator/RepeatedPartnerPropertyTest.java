package dev.ricochet.aggregator;

import dev.ricochet.aggregator.attribution.ConversionRecord;
import dev.ricochet.aggregator.attribution.ConversionTable;
import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.ledger.Commission;
import dev.ricochet.aggregator.ledger.CommissionKey;
import dev.ricochet.aggregator.ledger.CommissionTable;
import dev.ricochet.aggregator.ledger.LedgerEntry;
import dev.ricochet.aggregator.ledger.LedgerTable;
import dev.ricochet.aggregator.ledger.PartnerAccount;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.ClickEventFlyweight;
import dev.ricochet.ingest.ConversionEventFlyweight;
import dev.ricochet.ingest.EventHeaderDescriptor;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.Money;
import dev.ricochet.ingest.ProgramDirectory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random touch paths with partners repeated, under every attribution model, a sale through the last click and random
 * partial refunds (some adding up to the whole, some past it), applied by a real aggregator from a real journal into
 * a real RocksDB. Every time: one credit and one commission (one accrual) per partner, its credit the sum of its
 * touches'; each partner's reversal is exactly {@code share(earned, share(credit, refunded, amount), credit)}, never
 * more than it earned, and a refund of the whole leaves every partner's commission worth 0; balances are the sums
 * of the entries.
 */
class RepeatedPartnerPropertyTest
{
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;
    private static final long T0 = 20_400 * DAY_MS + 9 * HOUR_MS;
    private static final int PARTNERS = 3;
    private static final int LINKS_PER_PARTNER = 2;

    /**
     * @param model   attribution model.
     * @param links   links clicked in order (0-based; link l belongs to partner l / LINKS_PER_PARTNER + 1).
     * @param amount  the sale.
     * @param refunds refund amounts in order.
     */
    record History(String model, List<Integer> links, long amount, List<Long> refunds)
    {
    }

    @Property(tries = 40)
    void everyPartnerHasOneCommissionThatRefundsReachWholeAndNeverOverReverse(@ForAll("histories") final History h)
        throws IOException
    {
        final Path dir = Files.createTempDirectory("repeated-partner");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + 365 * 24 * HOUR_MS); // the wall clock after every event journaled here (header times bound)
        try (Journal journal = Journal.open(new Journal.Context().dir(dir.resolve("journal")));
            JournalAppender appender = journal.newAppender();
            StateStore store = StateStore.open(dir.resolve("state")))
        {
            // Given a program of the history's model, three partners with two links each, and the clicks
            journalCatalog(appender, h.model());
            final long lastClick = journalClicks(appender, h.links());
            final long saleMs = T0 + h.links().size() * 3 * HOUR_MS;

            // When the sale comes through the last click and the refunds follow
            conversion(appender, ConversionEventFlyweight.KIND_SALE, "o1", h.amount(), lastClick, null, saleMs);
            long refunded = 0;
            for (int i = 0; i < h.refunds().size(); i++)
            {
                conversion(appender, ConversionEventFlyweight.KIND_REFUND, "r" + i, h.refunds().get(i), 0, "o1",
                    saleMs + (i + 1) * HOUR_MS);
                refunded = Money.add(refunded, h.refunds().get(i));
            }
            final AggregatorAgent agent = new AggregatorAgent(journal, store,
                new Catalog(new LinkDirectory(), new ProgramDirectory()), clock, HOUR_MS, 100, 20_000);
            agent.onStart();
            LedgerScript.runUntilIdle(agent, clock);
            agent.onClose();

            // Then one credit per partner, the sum of its touches', adding up to the sale
            final ConversionRecord record = (ConversionRecord)new ConversionTable(store).find(1, "o1");
            assertOneCreditPerPartnerAddingUpToTheSale(record, h.amount());

            final long reversedAmount = Math.min(h.amount(), refunded);
            assertEquals(reversedAmount, record.reversedAmount());
            for (final ConversionRecord.Credit credit : record.credits())
            {
                assertCommissionReversedByTheRule(store, credit, saleMs, h.amount(), reversedAmount, refunded);
            }
        }
        finally
        {
            try (var paths = Files.walk(dir))
            {
                for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.delete(path);
                }
            }
        }
    }

    private static void journalCatalog(final JournalAppender appender, final String model)
    {
        catalog(appender, CatalogEventFlyweight.KIND_PROGRAM, "{\"id\":\"p\",\"number\":0,\"spec\":{\"name\":" +
            "\"P\",\"currency\":\"USD\",\"clickParam\":\"rcid\",\"attribution\":{\"model\":\"" + model +
            "\",\"windowDays\":30},\"holdDays\":14,\"fraud\":{\"minClickToConversionSeconds\":0," +
            "\"maxRefundRatePercent\":0},\"tiers\":[{\"name\":\"b\",\"commissionPercent\":\"12.5\"}]," +
            "\"secrets\":{}}}");
        for (int p = 1; p <= PARTNERS; p++)
        {
            catalog(appender, CatalogEventFlyweight.KIND_PARTNER, "{\"id\":\"p" + p + "\",\"number\":0,\"spec\":" +
                "{\"programId\":\"p\",\"name\":\"P" + p + "\",\"status\":\"active\"}}");
        }
        for (int l = 0; l < PARTNERS * LINKS_PER_PARTNER; l++)
        {
            catalog(appender, CatalogEventFlyweight.KIND_LINK, "{\"id\":\"l" + l + "\",\"number\":0,\"spec\":" +
                "{\"partnerId\":\"p" + (l / LINKS_PER_PARTNER + 1) + "\",\"destination\":\"https://s.example/\"}}");
        }
    }

    /**
     * @return the click id of the last click journaled.
     */
    private static long journalClicks(final JournalAppender appender, final List<Integer> links)
    {
        long lastClick = 0;
        for (int i = 0; i < links.size(); i++)
        {
            final int link = links.get(i);
            lastClick = i + 1;
            final ClickEventFlyweight click = appender.claimClick(EventHeaderDescriptor.TYPE_CLICK,
                T0 + i * 3 * HOUR_MS).clickId(lastClick, 0).visitorId(0, 42)
                .link(link + 1, link / LINKS_PER_PARTNER + 1, 1).userAgent("Mozilla/5.0");
            appender.append(click.encodedLength());
        }
        return lastClick;
    }

    private static void assertOneCreditPerPartnerAddingUpToTheSale(final ConversionRecord record, final long amount)
    {
        final Map<Integer, Long> touchSums = new HashMap<>();
        for (final ConversionRecord.Credit touch : record.path())
        {
            touchSums.merge(touch.partnerNumber(), touch.revenue(), Long::sum);
        }
        long total = 0;
        final List<Integer> seen = new ArrayList<>();
        for (final ConversionRecord.Credit credit : record.credits())
        {
            assertTrue(!seen.contains(credit.partnerNumber()), "one credit per partner: " + record.credits());
            seen.add(credit.partnerNumber());
            assertEquals(touchSums.get(credit.partnerNumber()), credit.revenue());
            total += credit.revenue();
        }
        assertEquals(amount, total);
        assertEquals(touchSums.keySet().size(), seen.size());
    }

    private static void assertCommissionReversedByTheRule(final StateStore store, final ConversionRecord.Credit credit,
        final long saleMs, final long amount, final long reversedAmount, final long refunded)
    {
        final List<LedgerEntry> entries = entries(store, credit.partnerNumber());
        final Commission stored = new CommissionTable(store).find(
            new CommissionKey(credit.partnerNumber(), saleMs, 1, "o1"));
        if (0 == credit.revenue())
        {
            assertEquals(null, stored, "no commission on a zero share");
            return;
        }
        // And one commission with one accrual per partner, reversed by the documented rule, never over
        final Commission commission = stored;
        assertEquals(credit.revenue(), commission.revenue());
        assertEquals(0 == commission.earned() ? 0 : 1, // a zero entry is never written
            entries.stream().filter(e -> "accrual".equals(e.type())).count(), entries::toString);
        final long reversedRevenue = Money.share(credit.revenue(), reversedAmount, amount);
        assertEquals(reversedRevenue, commission.reversedRevenue());
        assertEquals(Money.share(commission.earned(), reversedRevenue, credit.revenue()),
            commission.reversed());
        assertTrue(commission.reversed() <= commission.earned());
        if (refunded >= amount)
        {
            assertEquals(0, commission.net(), "a refund of the whole leaves nothing");
        }
        // And the balances are the sums of the entries, holding what the commission is worth
        final PartnerAccount account = new LedgerTable(store).account(credit.partnerNumber());
        long pending = 0;
        for (final LedgerEntry entry : entries)
        {
            pending += (Commission.PENDING.equals(entry.to()) ? entry.amount() : 0) -
                (Commission.PENDING.equals(entry.from()) ? entry.amount() : 0);
            assertTrue(!"reversal".equals(entry.type()) || entry.amount() < 0, entry.toString());
        }
        assertEquals(account.pending(), pending);
        assertEquals(commission.net(), account.pending());
    }

    @Provide
    Arbitrary<History> histories()
    {
        final Arbitrary<String> model =
            Arbitraries.of("last_click", "first_click", "linear", "position_based", "time_decay");
        final Arbitrary<List<Integer>> links =
            Arbitraries.integers().between(0, PARTNERS * LINKS_PER_PARTNER - 1).list().ofMinSize(1).ofMaxSize(8);
        final Arbitrary<Long> amount =
            Arbitraries.oneOf(Arbitraries.longs().between(1, 20), Arbitraries.longs().between(1, 10_000_000));
        return Combinators.combine(model, links, amount,
            Arbitraries.integers().between(0, 100).list().ofMaxSize(4),
            Arbitraries.of("partial", "whole", "over")).as((m, l, a, percents, ending) ->
            {
                final List<Long> refunds = new ArrayList<>();
                long sum = 0;
                for (final int percent : percents)
                {
                    final long part = Math.max(1, a * percent / 100);
                    refunds.add(part);
                    sum += part;
                }
                if ("whole".equals(ending) && sum < a)
                {
                    refunds.add(a - sum); // partial refunds that add up to the whole
                }
                else if ("over".equals(ending))
                {
                    refunds.add(a); // more than was sold in total
                }
                return new History(m, l, a, refunds);
            });
    }

    private static List<LedgerEntry> entries(final StateStore store, final int partnerNumber)
    {
        final List<LedgerEntry> entries = new ArrayList<>();
        new LedgerTable(store).forEachEntry(partnerNumber, -1, entries::add);
        return entries;
    }

    private static void catalog(final JournalAppender appender, final byte kind, final String json)
    {
        final byte[] document = json.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer event = new UnsafeBuffer(new byte[document.length + 32]);
        appender.append(event, 0, CatalogEventFlyweight.encode(event, 0, T0 - HOUR_MS, kind, document));
    }

    private static void conversion(final JournalAppender appender, final byte kind, final String externalId,
        final long amount, final long clickId, final String original, final long timeMs)
    {
        LedgerScript.appendConversion(appender, "USD", kind, externalId, amount, clickId, original, null, timeMs);
    }
}
