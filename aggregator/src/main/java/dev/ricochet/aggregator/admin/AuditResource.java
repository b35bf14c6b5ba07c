package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.audit.AuditRecord;
import dev.ricochet.aggregator.audit.AuditTable;
import dev.ricochet.aggregator.catalog.InvalidSpecException;
import dev.ricochet.aggregator.store.StateStore;
import org.agrona.concurrent.EpochClock;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /v1/audit}: the audit trail, newest first, read from its indexes a page at a time. A program-scoped
 * token reads only its program's records.
 */
final class AuditResource
{
    /**
     * Most index rows one page reads when filters beyond the first leave most of them out; the page then ends early
     * with a cursor to go on.
     */
    static final int MAX_EXAMINED = 5_000;

    private static final long DAY_MS = 86_400_000L;

    private final AuditTable audit;
    private final EpochClock epochClock;

    /**
     * @param store      committed state.
     * @param epochClock today, for the default range.
     */
    AuditResource(final StateStore store, final EpochClock epochClock)
    {
        this.audit = new AuditTable(store);
        this.epochClock = epochClock;
    }

    /**
     * @param call the request: {@code from}, {@code to} (dates, inclusive; default the last 30 days up to today),
     *             {@code actor} (token id), {@code action}, {@code target}, {@code programId}, {@code limit},
     *             {@code cursor}.
     * @return {@code {"items":[...],"next":cursor or null}}.
     */
    ApiResponse list(final RouteCall call)
    {
        final int today = RequestDates.today(epochClock);
        final long to = null == call.text("to") ? today : RequestDates.parseDate("to", call.text("to")).toEpochDay();
        final long from = null == call.text("from") ? to - 29 :
            RequestDates.parseDate("from", call.text("from")).toEpochDay();
        if (from > to)
        {
            throw new InvalidSpecException("from is after to");
        }
        final String scope = call.caller().programId();
        final String programId = call.text("programId");
        if (null != scope && null != programId && !scope.equals(programId))
        {
            return ApiResponse.error(403, "this token reads only the audit trail of program '" + scope + "'");
        }
        final String program = null == scope ? programId : scope;
        final String actor = call.text("actor");
        final String action = call.text("action");
        final String target = call.text("target");
        final AuditTable.By by;
        final String value;
        if (null != target)
        {
            by = AuditTable.By.TARGET;
            value = target;
        }
        else if (null != actor)
        {
            by = AuditTable.By.ACTOR;
            value = actor;
        }
        else if (null != program)
        {
            by = AuditTable.By.PROGRAM;
            value = program;
        }
        else if (null != action)
        {
            by = AuditTable.By.ACTION;
            value = action;
        }
        else
        {
            by = AuditTable.By.ALL;
            value = "";
        }
        final Predicate<AuditRecord> filter = record ->
            (null == actor || actor.equals(record.actor().tokenId())) &&
            (null == action || action.equals(record.action())) &&
            (null == target || target.equals(record.target())) &&
            (null == program || program.equals(record.programId()));
        final AuditTable.Page page = audit.page(by, value, from * DAY_MS, (to + 1L) * DAY_MS,
            cursor(call.text("cursor")), (int)call.number("limit"), MAX_EXAMINED, filter);
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.records());
        body.put("next", null == page.next() ? null : cursor(page.next()));
        return ApiResponse.ok(body);
    }

    private static String cursor(final AuditTable.Position position)
    {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
            ByteBuffer.allocate(16).putLong(position.timeMs()).putLong(position.index()).array());
    }

    private static AuditTable.Position cursor(final String cursor)
    {
        if (null == cursor)
        {
            return null;
        }
        try
        {
            final byte[] bytes = Base64.getUrlDecoder().decode(cursor.getBytes(StandardCharsets.US_ASCII));
            if (16 == bytes.length)
            {
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                return new AuditTable.Position(buffer.getLong(), buffer.getLong());
            }
        }
        catch (final IllegalArgumentException ex)
        {
            // answered below
        }
        throw new InvalidSpecException("cursor is not one this API gave: pass the 'next' of the previous page");
    }
}
