package dev.ricochet.ops.crash;

import dev.ricochet.ingest.IdCodec;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The load generator's ack logs checked against a journal: every acknowledged click id and order id must be in it.
 */
final class AckLog
{
    private static final int SAMPLES = 10;

    long ackedClicks;
    long ackedOrders;
    long missingClicks;
    long missingOrders;
    final List<String> missingSamples = new ArrayList<>();

    private AckLog()
    {
    }

    /**
     * @param ackDir        the generator's directory.
     * @param journal       what the journal holds.
     * @return acknowledged and missing counts.
     * @throws IOException if a log cannot be read.
     */
    static AckLog check(final Path ackDir, final JournalAudit journal) throws IOException
    {
        final AckLog result = new AckLog();
        final List<Path> files;
        try (Stream<Path> list = Files.list(ackDir))
        {
            files = list.filter(p -> p.getFileName().toString().startsWith(LoadGenerator.ACK_FILE_PREFIX)).toList();
        }
        for (final Path file : files)
        {
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII))
            {
                String line;
                while (null != (line = reader.readLine()))
                {
                    result.check(line, journal);
                }
            }
        }
        return result;
    }

    private void check(final String line, final JournalAudit journal)
    {
        if (line.startsWith("c ") && line.length() == 2 + IdCodec.ENCODED_LENGTH)
        {
            ackedClicks++;
            if (!journal.clickIds.contains(IdCodec.decodeHi(line, 2), IdCodec.decodeLo(line, 2)))
            {
                missing(line);
                missingClicks++;
            }
        }
        else if (line.startsWith("o "))
        {
            ackedOrders++;
            if (!journal.orderIds.contains(line.substring(2)))
            {
                missing(line);
                missingOrders++;
            }
        }
        // A torn last line can only be an ack the generator never finished writing: it promised nothing.
    }

    private void missing(final String line)
    {
        if (missingSamples.size() < SAMPLES)
        {
            missingSamples.add(line);
        }
    }

    long lost()
    {
        return missingClicks + missingOrders;
    }
}
