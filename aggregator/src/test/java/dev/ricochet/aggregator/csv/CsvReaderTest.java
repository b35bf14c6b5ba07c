package dev.ricochet.aggregator.csv;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReaderTest
{
    private static List<CsvRecord> read(final String csv)
    {
        return read(csv.getBytes(StandardCharsets.UTF_8), 100);
    }

    private static List<CsvRecord> read(final byte[] csv, final int maxFieldChars)
    {
        final CsvReader reader = new CsvReader(new ByteArrayInputStream(csv), maxFieldChars, 10);
        final List<CsvRecord> records = new ArrayList<>();
        for (CsvRecord record = reader.next(); null != record; record = reader.next())
        {
            records.add(record);
        }
        return records;
    }

    @Test
    void readsPlainRecordsWithTheirLines()
    {
        final List<CsvRecord> records = read("id,name\r\na,Ann\r\nb,Bob");

        assertEquals(List.of(new CsvRecord(1, List.of("id", "name"), -1), new CsvRecord(2, List.of("a", "Ann"), -1),
            new CsvRecord(3, List.of("b", "Bob"), -1)), records);
    }

    @Test
    void quotedFieldsHoldCommasQuotesAndLineBreaksAndTheNextRecordStartsOnItsPhysicalLine()
    {
        final List<CsvRecord> records = read("id,note\na,\"one, \"\"two\"\"\nthree\r\nfour\"\nb,x\n");

        assertEquals(List.of("a", "one, \"two\"\nthree\r\nfour"), records.get(1).fields());
        assertEquals(5, records.get(2).line());
    }

    @Test
    void skipsTheByteOrderMarkAndEmptyLines()
    {
        final List<CsvRecord> records = read("\uFEFFid\n\n\r\na\n\n");

        assertEquals(List.of(new CsvRecord(1, List.of("id"), -1), new CsvRecord(4, List.of("a"), -1)), records);
    }

    @Test
    void aLoneCrEndsARecord()
    {
        assertEquals(new CsvRecord(3, List.of("b"), -1), read("id\ra\rb").get(2));
    }

    @Test
    void keepsEmptyFields()
    {
        assertEquals(List.of("", "", ""), read(",,\n").get(0).fields());
    }

    @Test
    void cutsAnOversizeFieldAndFlagsItsRecord()
    {
        final List<CsvRecord> records = read("ab,abcdef,abcdefgh\nx\n".getBytes(StandardCharsets.UTF_8), 4);

        assertEquals(List.of("ab", "abcd", "abcd"), records.get(0).fields());
        assertEquals(1, records.get(0).oversizeField());
        assertEquals(new CsvRecord(2, List.of("x"), -1), records.get(1));
    }

    @Test
    void refusesAQuoteInsideAnUnquotedField()
    {
        final CsvFormatException refused = assertThrows(CsvFormatException.class, () -> read("id\nab\"c\n"));

        assertEquals(2, refused.line());
    }

    @Test
    void refusesTextAfterAClosingQuote()
    {
        final CsvFormatException refused = assertThrows(CsvFormatException.class, () -> read("id\n\"a\"b\n"));

        assertTrue(refused.getMessage().contains("after the closing quote"), refused.getMessage());
    }

    @Test
    void refusesAnUnclosedQuoteNamingTheLineItOpensOn()
    {
        final CsvFormatException refused = assertThrows(CsvFormatException.class, () -> read("id\nx\n\"a\n\nb\n"));

        assertEquals(3, refused.line());
    }

    @Test
    void refusesBytesThatAreNotUtf8()
    {
        final byte[] csv = {'i', 'd', '\n', 'a', '\n', (byte)0xC3, (byte)0x28, '\n'};

        final CsvFormatException refused = assertThrows(CsvFormatException.class, () -> read(csv, 100));

        assertEquals(3, refused.line());
    }

    @Test
    void refusesTooManyFields()
    {
        assertThrows(CsvFormatException.class, () -> read("a,b,c,d,e,f,g,h,i,j,k\n"));
    }
}
