package dev.ricochet.aggregator.csv;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.LinkSpec;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LinkImportTest
{
    private final Catalog catalog = new Catalog(new LinkDirectory(), new ProgramDirectory());

    @BeforeEach
    void catalog()
    {
        for (final String program : List.of("shop", "other"))
        {
            catalog.applyProgram(new CatalogEntry<>(program, 0, CatalogValidation.program(new ProgramSpec("Shop",
                "USD", null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null))));
            catalog.applyPartner(new CatalogEntry<>(program + "-ann", 0, CatalogValidation.partner(new PartnerSpec(
                program, "Ann", null, null, null, null, null, null, null, null, null, null, null, null))));
        }
        catalog.applyLink(new CatalogEntry<>("theirs", 0, new LinkSpec("other-ann", "https://other.example/")));
        catalog.applyLink(new CatalogEntry<>("mine", 0, new LinkSpec("shop-ann", "https://shop.example/")));
    }

    private ImportPlan<LinkSpec> plan(final String csv)
    {
        return LinkImport.plan("shop", catalog, new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void countsNewChangedAndUnchangedLinks()
    {
        final ImportPlan<LinkSpec> plan = plan("code,partnerId,destination\n" +
            "new,shop-ann,https://shop.example/new\nmine,shop-ann,https://shop.example/\n");

        assertEquals(List.of(1, 0, 1), List.of(plan.created(), plan.updated(), plan.unchanged()));
        assertEquals(List.of(new ImportCommand.Row<>("new", new LinkSpec("shop-ann", "https://shop.example/new"),
            null)), plan.changes());
    }

    @Test
    void refusesAnotherProgramsPartnerOrCodeAndABadDestination()
    {
        final ImportPlan<LinkSpec> plan = plan("destination,code,partnerId\n" +
            "https://shop.example/a,a,other-ann\nhttps://shop.example/b,theirs,shop-ann\n" +
            "javascript:alert(1),c,shop-ann\nhttps://shop.example/d,d,nobody\n");

        assertEquals(List.of("2:partnerId", "3:code", "4:destination", "5:partnerId"),
            plan.errors().stream().map(e -> e.line() + ":" + e.field()).toList());
    }

    @Test
    void needsAllThreeColumns()
    {
        assertThrows(InvalidSpecException.class, () -> plan("code,partnerId\na,shop-ann\n"));
    }
}
