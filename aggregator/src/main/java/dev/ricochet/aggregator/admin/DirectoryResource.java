package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.Catalog;
import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.catalog.SegmentSpec;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.directory.DirectoryCursor;
import dev.ricochet.aggregator.directory.DirectoryEntry;
import dev.ricochet.aggregator.directory.DirectoryMetrics;
import dev.ricochet.aggregator.directory.DirectoryPage;
import dev.ricochet.aggregator.directory.DirectoryQuery;
import dev.ricochet.aggregator.directory.DirectorySort;
import dev.ricochet.aggregator.directory.PartnerDirectory;
import dev.ricochet.aggregator.directory.PartnerFilter;
import dev.ricochet.aggregator.directory.DirectoryFilters;
import org.agrona.concurrent.EpochClock;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The program and partner directory (part 8, item 1): {@code GET /v1/programs} and
 * {@code GET /v1/programs/{programId}/partners}, answered from the {@link PartnerDirectory}'s index, never from
 * events. docs/directory.md.
 */
final class DirectoryResource
{
    /**
     * The prefix of a custom attribute filter's query parameter ({@code attr.region=emea}).
     */
    static final String ATTRIBUTE_PREFIX = "attr.";

    private static final long DAY_MS = 86_400_000L;
    private static final int MAX_SEGMENT_ID_LENGTH = 200;

    private final Catalog catalog;
    private final PartnerDirectory directory;
    private final EpochClock epochClock;

    /**
     * @param catalog    the catalog, for programs.
     * @param directory  the partner directory.
     * @param epochClock today, for health scores.
     */
    DirectoryResource(final Catalog catalog, final PartnerDirectory directory, final EpochClock epochClock)
    {
        this.catalog = catalog;
        this.directory = directory;
        this.epochClock = epochClock;
    }

    /**
     * {@code GET /v1/programs?limit=&cursor=}: the programs in id order; a program-scoped caller sees its own only.
     *
     * @param scope  the caller's program scope, or null for every program.
     * @param limit  programs per page.
     * @param cursor the previous page's {@code next}, or null.
     * @return the page.
     */
    ApiResponse programs(final String scope, final int limit, final String cursor)
    {
        final String after = null == cursor ? null : programCursor(cursor);
        final TreeMap<String, CatalogEntry<ProgramSpec>> sorted = new TreeMap<>();
        for (final CatalogEntry<ProgramSpec> program : catalog.programs())
        {
            if ((null == scope || scope.equals(program.id())) && (null == after || program.id().compareTo(after) > 0))
            {
                sorted.put(program.id(), program);
            }
        }
        final List<Map<String, Object>> items = new ArrayList<>();
        String next = null;
        for (final CatalogEntry<ProgramSpec> program : sorted.values())
        {
            if (items.size() == limit)
            {
                next = encodeProgramCursor(items.get(items.size() - 1).get("id").toString());
                break;
            }
            items.add(programItem(program));
        }
        return list(items, next);
    }

    private Map<String, Object> programItem(final CatalogEntry<ProgramSpec> program)
    {
        final ProgramSpec spec = program.spec();
        final Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", program.id());
        item.put("name", spec.name());
        item.put("currency", spec.currency());
        item.put("partners", directory.size(program.id()));
        item.put("tiers", null == spec.tiers() ? List.of() : spec.tiers().stream().map(ProgramSpec.Tier::name)
            .toList());
        item.put("applicationsOpen", null != spec.applications() && Boolean.TRUE.equals(spec.applications().open()));
        return item;
    }

    /**
     * {@code GET /v1/programs/{programId}/partners?...}: a page of the program's partners, filtered and sorted.
     *
     * @param programId  the program.
     * @param scope      the caller's program scope, or null.
     * @param parameters the request's query (already checked against the route: known names, each once).
     * @param limit      partners per page.
     * @return the page, 404 for an unknown program (or one outside the caller's scope).
     */
    ApiResponse partners(final String programId, final String scope, final Map<String, List<String>> parameters,
        final int limit)
    {
        final CatalogEntry<ProgramSpec> program = catalog.program(programId);
        if (null == program || (null != scope && !scope.equals(programId)))
        {
            return ApiResponse.notFound("program", programId);
        }
        final DirectoryQuery query = query(program, parameters, limit);
        final DirectoryPage page = directory.page(programId, query, RequestDates.today(epochClock));
        final List<Map<String, Object>> items = new ArrayList<>(page.items().size());
        for (final DirectoryPage.Item item : page.items())
        {
            items.add(partnerItem(item.entry(), item.health(), program.spec().currency()));
        }
        return list(items, page.next());
    }

    private DirectoryQuery query(final CatalogEntry<ProgramSpec> program, final Map<String, List<String>> parameters,
        final int limit)
    {
        final Map<String, String> attributes = new TreeMap<>();
        for (final Map.Entry<String, List<String>> parameter : parameters.entrySet())
        {
            if (parameter.getKey().startsWith(ATTRIBUTE_PREFIX))
            {
                final String name = parameter.getKey().substring(ATTRIBUTE_PREFIX.length());
                if (name.isEmpty())
                {
                    throw new InvalidSpecException(ATTRIBUTE_PREFIX + ": name the attribute (attr.<name>=<value>)");
                }
                attributes.put(name, parameter.getValue().get(0));
            }
        }
        final PartnerFilter own = new PartnerFilter(values(text(parameters, "status")),
            values(text(parameters, "tier")), values(text(parameters, "tag")), attributes, text(parameters, "q"));
        final List<DirectoryFilters.Compiled> filters = new ArrayList<>();
        filters.add(DirectoryFilters.compile(program.spec(), own, DirectoryFilters.Syntax.QUERY));
        final String segmentId = text(parameters, "segment");
        if (null != segmentId)
        {
            filters.add(segment(program, segmentId));
        }
        final String sortName = text(parameters, "sort");
        final DirectorySort sort = null == sortName ? DirectorySort.JOINED : DirectorySort.of(sortName);
        if (null == sort)
        {
            throw new InvalidSpecException("sort: '" + sortName + "' is not one of " +
                Arrays.stream(DirectorySort.values()).map(DirectorySort::parameter).toList());
        }
        final String order = text(parameters, "order");
        if (null != order && !"asc".equals(order) && !"desc".equals(order))
        {
            throw new InvalidSpecException("order: '" + order + "' is not asc or desc");
        }
        final boolean descending = null == order ? DirectorySort.NAME != sort : "desc".equals(order);
        final String from = text(parameters, "from");
        final String to = text(parameters, "to");
        final long fromMs = null == from ? Long.MIN_VALUE : RequestDates.parseDate("from", from).toEpochDay() * DAY_MS;
        final long toMs = null == to ? Long.MAX_VALUE : (RequestDates.parseDate("to", to).toEpochDay() + 1) * DAY_MS;
        if (fromMs >= toMs)
        {
            throw new InvalidSpecException("from " + from + " is after to " + to);
        }
        final String cursor = text(parameters, "cursor");
        return new DirectoryQuery(filters, fromMs, toMs, sort, descending, limit,
            null == cursor ? null : DirectoryCursor.decode(cursor, sort, descending));
    }

    private DirectoryFilters.Compiled segment(final CatalogEntry<ProgramSpec> program, final String segmentId)
    {
        final CatalogEntry<SegmentSpec> saved = segmentId.length() > MAX_SEGMENT_ID_LENGTH ? null :
            catalog.segments().get(program.id(), segmentId);
        final PartnerFilter filter = null == saved ? null : saved.spec().filter();
        if (null == filter)
        {
            throw new InvalidSpecException("segment: '" + (segmentId.length() > MAX_SEGMENT_ID_LENGTH ?
                segmentId.substring(0, MAX_SEGMENT_ID_LENGTH) + "..." : segmentId) +
                "' is not a saved segment of program '" + program.id() + "'");
        }
        // A saved filter is checked against the program as it is now (a tier or attribute may have gone since).
        return DirectoryFilters.compile(program.spec(), filter, DirectoryFilters.Syntax.JSON);
    }

    private static Map<String, Object> partnerItem(final DirectoryEntry entry, final int health,
        final String currency)
    {
        final Map<String, Object> item = new LinkedHashMap<>();
        item.put("id", entry.id());
        item.put("programId", entry.programId());
        item.put("name", entry.name());
        item.put("email", entry.email());
        item.put("status", entry.status());
        item.put("tier", entry.tier());
        item.put("tags", entry.tags());
        item.put("attributes", entry.attributes());
        item.put("joinedAt", entry.joinedAt());
        item.put("health", health);
        item.put("clicks", entry.total(CounterField.CLICKS));
        item.put("leads", entry.total(CounterField.LEADS));
        item.put("sales", entry.total(CounterField.SALES));
        item.put("conversions", entry.conversions());
        item.put("revenue", entry.total(CounterField.REVENUE));
        item.put("commission", entry.total(CounterField.COMMISSION));
        item.put("epc", DirectoryMetrics.decimal(entry.epc(), DirectoryMetrics.EPC_SCALE));
        item.put("conversionRate", DirectoryMetrics.decimal(entry.conversionRate(), DirectoryMetrics.RATE_SCALE));
        item.put("currency", currency);
        return item;
    }

    private static ApiResponse list(final List<Map<String, Object>> items, final String next)
    {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("next", next);
        return ApiResponse.ok(body);
    }

    private static String text(final Map<String, List<String>> parameters, final String name)
    {
        final List<String> values = parameters.get(name);
        return null == values || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    private static List<String> values(final String commaSeparated)
    {
        return null == commaSeparated ? null : List.of(commaSeparated.split(",", -1));
    }

    private static String encodeProgramCursor(final String programId)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("p:" + programId)
            .getBytes(StandardCharsets.UTF_8));
    }

    private static String programCursor(final String cursor)
    {
        try
        {
            final String decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(cursor))).toString();
            if (decoded.startsWith("p:") && decoded.length() > 2)
            {
                return decoded.substring(2);
            }
        }
        catch (final IllegalArgumentException | CharacterCodingException ex)
        {
            // answered below
        }
        throw new InvalidSpecException("cursor: malformed; pass back the 'next' of the previous page as it is");
    }
}
