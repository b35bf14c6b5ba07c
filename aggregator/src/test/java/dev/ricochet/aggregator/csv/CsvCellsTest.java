package dev.ricochet.aggregator.csv;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CsvCellsTest
{
    @ParameterizedTest
    @ValueSource(strings = {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", " =1", "\u00A0=1", "\uFF1D1",
        "'=1", "''+x"})
    void escapesWhatASpreadsheetWouldRun(final String value)
    {
        assertEquals("'" + value, CsvCells.escapeFormula(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Ann", "a=b", "'quoted'", "'", "", "1-2", "ann@example.com"})
    void keepsOtherText(final String value)
    {
        assertEquals(value, CsvCells.escapeFormula(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"=1+1", "-1", "'=1", "''+x", "Ann", "'quoted'", "'", "", " =1", "a'=b"})
    void importReadsBackWhatExportWrote(final String value)
    {
        assertEquals(value, CsvCells.unescapeFormula(CsvCells.escapeFormula(value)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a,b", "a;b", "say \"hi\"", "a\nb", "a\rb"})
    void quotesSeparatorsQuotesAndLineBreaks(final String value)
    {
        assertEquals("\"" + value.replace("\"", "\"\"") + "\"", CsvCells.quote(value));
    }
}
