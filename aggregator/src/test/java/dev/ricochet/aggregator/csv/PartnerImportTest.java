package dev.ricochet.aggregator.csv;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.CatalogValidation;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.ingest.LinkDirectory;
import dev.ricochet.ingest.ProgramDirectory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartnerImportTest
{
    private static final long NOW_MS = Instant.parse("2026-03-10T10:15:00Z").toEpochMilli();

    private final Catalog catalog = new Catalog(new LinkDirectory(), new ProgramDirectory());
    private CatalogEntry<ProgramSpec> shop;

    @BeforeEach
    void programs()
    {
        shop = program("shop", List.of(new ProgramSpec.AttributeDef("followers", "number", null, null, null, null),
            new ProgramSpec.AttributeDef("niche", "text", null, null, null, null)));
        program("other", null);
    }

    private CatalogEntry<ProgramSpec> program(final String id, final List<ProgramSpec.AttributeDef> attributes)
    {
        final ProgramSpec spec = CatalogValidation.program(new ProgramSpec("Shop", "USD", null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, attributes, null));
        return catalog.applyProgram(new CatalogEntry<>(id, 0, spec));
    }

    private void partner(final String id, final String programId, final String name, final String payoutAccount)
    {
        catalog.applyPartner(new CatalogEntry<>(id, 0, CatalogValidation.partner(new PartnerSpec(programId, name,
            null, "paused", null, null, null, payoutAccount, null, null, null, null, null, "2025-01-01T00:00:00Z"))));
    }

    private ImportPlan<PartnerSpec> plan(final String csv)
    {
        return PartnerImport.plan(shop, catalog, NOW_MS,
            new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aNewPartnerTakesItsColumnsAndTheDefaultsOfAPut()
    {
        final ImportPlan<PartnerSpec> plan = plan("id,name,email,tags,commissionPercent,attr.followers,attr.niche\r\n" +
            "ann,Ann,ann@example.com,vip; blog ;,12.5,1500,cooking\r\n");

        assertEquals(new PartnerSpec("shop", "Ann", "ann@example.com", "active", "12.5", null, null, null, null,
            List.of("vip", "blog"), Map.of("followers", 1500, "niche", "cooking"), null, null, "2026-03-10T10:15:00Z"),
            plan.changes().get(0).spec());
        assertEquals(List.of(1, 0, 0), List.of(plan.created(), plan.updated(), plan.unchanged()));
    }

    @Test
    void anExistingPartnerKeepsWhatTheFileHasNoColumnFor()
    {
        partner("ann", "shop", "Ann", "paypal:ann@example.com");

        final ImportPlan<PartnerSpec> plan = plan("id,name\nann,Ann Smith\n");

        final PartnerSpec spec = plan.changes().get(0).spec();
        assertEquals(List.of("Ann Smith", "paused", "paypal:ann@example.com", "2025-01-01T00:00:00Z"),
            List.of(spec.name(), spec.status(), spec.payoutAccount(), spec.joinedAt()));
        assertEquals(1, plan.updated());
    }

    @Test
    void anEmptyCellClearsItsFieldButAnEmptyStatusKeepsTheStatus()
    {
        partner("ann", "shop", "Ann", "paypal:ann@example.com");

        final PartnerSpec spec = plan("id,name,status,payoutAccount\nann,Ann,,\n").changes().get(0).spec();

        assertEquals("paused", spec.status());
        assertNull(spec.payoutAccount());
    }

    @Test
    void aRowEqualToThePartnerIsUnchanged()
    {
        partner("ann", "shop", "Ann", null);

        final ImportPlan<PartnerSpec> plan =
            plan("id,name,status,tags,joinedAt\nann,Ann,paused,,2025-01-01T00:00:00Z\n");

        assertEquals(List.of(0, 0, 1), List.of(plan.created(), plan.updated(), plan.unchanged()));
    }

    @Test
    void everyBadRowIsReportedWithItsPhysicalLineAndField()
    {
        partner("olga", "other", "Olga", null);

        final ImportPlan<PartnerSpec> plan = plan("id,name,email,status,attr.followers,leadCommission\n" +
            "ann,\"Ann\nSmith\",ann@example.com,active,,\n" +
            "bob,Bob,not-an-email,active,,\n" +
            "bad id!,Cy,,active,,\n" +
            "dan,Dan,,sleeping,,\n" +
            "eve,Eve,,active,lots,-5\n" +
            "olga,Olga,,active,,\n" +
            "bob,Bob,,active,,\n" +
            "fay,Fay\n");

        assertEquals(List.of(
            new ImportError(2, "name", "name contains a control character"),
            new ImportError(4, "email", "email 'not-an-email' is not an email address"),
            new ImportError(5, "id", "id 'bad id!' is invalid: expected 1-64 characters of A-Z a-z 0-9 - _"),
            new ImportError(6, "status", "status 'sleeping' is invalid: expected one of " +
                CatalogValidation.PARTNER_STATUSES),
            new ImportError(7, "leadCommission", "leadCommission '-5' is not a whole number of minor units (0 or " +
                "more, no sign, separator or decimals)"),
            new ImportError(7, "attr.followers", "attr.followers 'lots' is not a number"),
            new ImportError(8, "id", "partner 'olga' is a partner of another program; an import writes only " +
                "the path's program's partners"),
            new ImportError(9, "id", "id 'bob' is on line 4 already"),
            new ImportError(10, null, "the row has 2 fields; the header has 6")), plan.errors());
        assertEquals(List.of(), plan.changes());
        assertEquals(8, plan.rows());
    }

    @Test
    void readsBackTheQuoteTheExportPutBeforeAFormula()
    {
        final ImportPlan<PartnerSpec> plan = plan("id,name\nann,\"'=HYPERLINK(\"\"x\"\")\"\nbob,'Bob'\n");

        assertEquals(List.of("=HYPERLINK(\"x\")", "'Bob'"),
            plan.changes().stream().map(e -> e.spec().name()).toList());
    }

    @Test
    void aNewPartnerMayBringItsJoinDateButNotOneAfterNow()
    {
        final ImportPlan<PartnerSpec> plan = plan("id,name,joinedAt\nann,Ann,2024-05-01T08:00:00Z\n" +
            "bob,Bob,2027-01-01T00:00:00Z\ncy,Cy,yesterday\n");

        assertEquals(List.of(3, 4), plan.errors().stream().map(ImportError::line).toList());
        assertEquals(List.of("joinedAt", "joinedAt"), plan.errors().stream().map(ImportError::field).toList());
    }

    @Test
    void anExistingPartnersJoinDateNeverChanges()
    {
        partner("ann", "shop", "Ann", null);

        final ImportPlan<PartnerSpec> plan = plan("id,name,joinedAt\nann,Ann,2024-05-01T08:00:00Z\n");

        assertEquals("joinedAt", plan.errors().get(0).field());
    }

    @Test
    void anUnknownColumnRefusesTheFileNamingIt()
    {
        final InvalidSpecException refused = assertThrows(InvalidSpecException.class,
            () -> plan("id,name,colour\nann,Ann,red\n"));

        assertTrue(refused.getMessage().startsWith("line 1: unknown column 'colour'"), refused.getMessage());
    }

    @Test
    void anAttributeTheProgramDoesNotHaveIsAnUnknownColumn()
    {
        final InvalidSpecException refused = assertThrows(InvalidSpecException.class,
            () -> plan("id,attr.shoeSize\nann,42\n"));

        assertTrue(refused.getMessage().contains("no attribute 'shoeSize'"), refused.getMessage());
    }

    @Test
    void theExportsReadOnlyColumnsAreIgnored()
    {
        final ImportPlan<PartnerSpec> plan = plan("id,name,tier,clicks,revenue\nann,Ann,gold,10,500\n");

        assertEquals(1, plan.created());
    }

    @Test
    void moreRowsThanAnImportTakesIsTooLarge()
    {
        final StringBuilder csv = new StringBuilder("id,name\n");
        for (int i = 0; i <= ImportFile.MAX_ROWS; i++)
        {
            csv.append('p').append(i).append(",P\n");
        }

        assertThrows(ImportTooLargeException.class, () -> plan(csv.toString()));
    }
}
