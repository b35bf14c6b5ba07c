package dev.ricochet.aggregator.csv;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CsvWriterTest
{
    @Test
    void writesRowsWithCrlfEscapedAndQuoted()
    {
        final byte[] file = new CsvWriter().header(List.of("id", "name", "n")).text(null).text("=HYPERLINK(\"x\")")
            .number(-5L).endRow().toBytes();

        assertEquals("id,name,n\r\n,\"'=HYPERLINK(\"\"x\"\")\",-5\r\n", new String(file, StandardCharsets.UTF_8));
    }

    @Test
    void whatItWritesReadsBack()
    {
        final String tricky = "line\r\nbreak, \"quote\"; ünïcode";
        final byte[] file = new CsvWriter().text(tricky).text("").endRow().toBytes();

        final CsvRecord record = new CsvReader(new ByteArrayInputStream(file), 100, 10).next();

        assertEquals(List.of(tricky, ""), record.fields());
    }
}
