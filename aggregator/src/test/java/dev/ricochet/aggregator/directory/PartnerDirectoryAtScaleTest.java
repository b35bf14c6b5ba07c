package dev.ricochet.aggregator.directory;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.store.StateStore;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The directory over a program of 100,000 partners: walking a filtered list sorted by revenue lists every matching
 * partner exactly once, in order. It prints the CPU time pages took (a plain check, not a benchmark: the benchmarks
 * module measures p99; nothing here asserts a time).
 */
class PartnerDirectoryAtScaleTest
{
    private static final int PARTNERS = 100_000;
    // CPU time, not wall time: the machine running the tests may be shared.
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String[] STATUSES = { "active", "active", "active", "paused", "pending" };

    @TempDir
    Path dir;

    private StateStore store;

    @BeforeEach
    void open()
    {
        store = StateStore.open(dir);
    }

    @AfterEach
    void close()
    {
        store.close();
    }

    @Test
    void shouldWalkAFilteredListSortedByRevenueOverAHundredThousandPartnersExactlyOnceInOrder()
    {
        // Given a program of 100,000 partners with random lifetime totals, statuses and tags
        final Catalog catalog = new Catalog(new LinkDirectory(), new ProgramDirectory());
        catalog.applyProgram(CatalogJson.read(("{\"id\":\"shop\",\"number\":0,\"spec\":{\"name\":\"Shop\"," +
            "\"currency\":\"USD\",\"tiers\":[{\"name\":\"bronze\",\"commissionPercent\":\"10\"}]}}")
            .getBytes(StandardCharsets.UTF_8), CatalogJson.PROGRAM));
        final PartnerTotals totals = PartnerTotals.detached(store);
        final Random random = new Random(17);
        int expected = 0;
        for (int p = 0; p < PARTNERS; p++)
        {
            final String status = STATUSES[random.nextInt(STATUSES.length)];
            final boolean isVip = random.nextInt(4) == 0;
            catalog.applyPartner(CatalogJson.read(("{\"id\":\"partner" + p + "\",\"number\":0,\"spec\":" +
                "{\"programId\":\"shop\",\"name\":\"Partner " + p + "\",\"status\":\"" + status + "\",\"tags\":" +
                (isVip ? "[\"vip\"]" : "[]") + "}}").getBytes(StandardCharsets.UTF_8), CatalogJson.PARTNER));
            totals.add(p + 1, CounterField.CLICKS, random.nextInt(1000));
            totals.add(p + 1, CounterField.REVENUE, random.nextInt(500) * 1000L); // many ties
            if ("active".equals(status) && isVip)
            {
                expected++;
            }
        }
        final PartnerDirectory directory = new PartnerDirectory(catalog, store, totals, (partner, program) -> "bronze",
            () -> 0);
        final DirectoryFilters.Compiled filter = DirectoryFilters.compile(catalog.program("shop").spec(),
            new PartnerFilter(List.of("active"), null, List.of("vip"), Map.of(), null), DirectoryFilters.Syntax.QUERY);

        // When the list is walked 500 at a time (a second time with every health score cached)
        walk(directory, filter, new ArrayList<>());
        final List<DirectoryEntry> walked = new ArrayList<>();
        final long[] sorted = walk(directory, filter, walked);

        // Then every matching partner is listed once, by revenue, ties by id
        final Set<String> ids = new HashSet<>();
        walked.forEach(entry -> ids.add(entry.id()));
        assertEquals(expected, walked.size());
        assertEquals(expected, ids.size());
        for (int i = 1; i < walked.size(); i++)
        {
            final DirectoryEntry before = walked.get(i - 1);
            final DirectoryEntry after = walked.get(i);
            final long revenueBefore = before.total(CounterField.REVENUE);
            final long revenueAfter = after.total(CounterField.REVENUE);
            assertTrue(revenueBefore > revenueAfter ||
                revenueBefore == revenueAfter && before.id().compareTo(after.id()) < 0, before + " then " + after);
        }
        System.out.println("PartnerDirectoryAtScaleTest: " + PARTNERS + " partners, " + expected + " listed in " +
            sorted.length + " pages of 500, health cached; CPU ms per page: min " + sorted[0] / 1e6 + ", median " +
            sorted[sorted.length / 2] / 1e6 + ", max " + sorted[sorted.length - 1] / 1e6);
    }

    private static long[] walk(final PartnerDirectory directory, final DirectoryFilters.Compiled filter,
        final List<DirectoryEntry> walked)
    {
        final List<Long> pageNanos = new ArrayList<>();
        DirectoryCursor cursor = null;
        String next;
        do
        {
            final long start = THREADS.getCurrentThreadCpuTime();
            final DirectoryPage page = directory.page("shop", new DirectoryQuery(List.of(filter), Long.MIN_VALUE,
                Long.MAX_VALUE, DirectorySort.REVENUE, true, 500, cursor), 20_000);
            pageNanos.add(THREADS.getCurrentThreadCpuTime() - start);
            page.items().forEach(item -> walked.add(item.entry()));
            next = page.next();
            cursor = null == next ? null : DirectoryCursor.decode(next, DirectorySort.REVENUE, true);
        }
        while (null != next);
        return pageNanos.stream().mapToLong(Long::longValue).sorted().toArray();
    }
}
