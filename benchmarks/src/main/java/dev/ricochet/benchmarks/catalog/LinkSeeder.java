package dev.ricochet.benchmarks.catalog;

import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogJson;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.ingest.CatalogEventFlyweight;
import dev.ricochet.ingest.Journal;
import dev.ricochet.ingest.JournalAppender;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Puts a million links into a stopped service's journal in seconds, for the memory benchmark (E7): the admin API
 * saves one link per durable sync (~600 links/s here), which would make the benchmark wait half an hour.
 *
 * <p>It appends exactly the catalog event the admin API journals for {@code PUT /v1/links/{code}} (same kind, same
 * stored JSON); the aggregator applies them at the next start as it would any admin change. The partner must
 * already exist. {@code LinkSeeder --data-dir D --partner P --links N --destination URL --links-file F}; writes
 * {@code CODE DESTINATION CLICK_PARAM} lines for the load harness.
 */
public final class LinkSeeder
{
    private LinkSeeder()
    {
    }

    /**
     * @param args see the type's description.
     * @throws IOException if the links file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        Path dataDir = null;
        String partner = null;
        int links = 1_000_000;
        String destination = "https://shop.example.com/item";
        String clickParam = "rcid";
        Path linksFile = null;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--data-dir" -> dataDir = Path.of(args[i + 1]);
                case "--partner" -> partner = args[i + 1];
                case "--links" -> links = Integer.parseInt(args[i + 1]);
                case "--destination" -> destination = args[i + 1];
                case "--click-param" -> clickParam = args[i + 1];
                case "--links-file" -> linksFile = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown flag " + args[i]);
            }
        }
        if (null == dataDir || null == partner || null == linksFile)
        {
            throw new IllegalArgumentException("usage: LinkSeeder --data-dir D --partner P --links N " +
                "[--destination URL] [--click-param rcid] --links-file F");
        }

        final long start = System.nanoTime();
        final UnsafeBuffer event = new UnsafeBuffer(new byte[4096]);
        try (Journal journal = Journal.open(new Journal.Context().dir(dataDir.resolve("journal")));
            JournalAppender appender = journal.newAppender();
            BufferedWriter out = Files.newBufferedWriter(linksFile))
        {
            for (int i = 0; i < links; i++)
            {
                final String code = "m" + i;
                final String target = destination + "/" + i;
                final byte[] document = CatalogJson.write(new CatalogEntry<>(code, 0, new LinkSpec(partner, target)));
                final int length = CatalogEventFlyweight.encode(
                    event, 0, System.currentTimeMillis(), CatalogEventFlyweight.KIND_LINK, document);
                if (Journal.NULL_INDEX == appender.append(event, 0, length))
                {
                    throw new IllegalStateException("journal refused link " + code);
                }
                out.write(code + " " + target + " " + clickParam + "\n");
            }
            appender.sync();
        }
        System.err.printf("link seeder: %,d links journaled in %.1f s%n", links, (System.nanoTime() - start) / 1e9);
    }
}
