package dev.ricochet.aggregator;

import dev.ricochet.aggregator.catalog.CatalogEntry;
import dev.ricochet.aggregator.catalog.PartnerSpec;
import dev.ricochet.aggregator.catalog.PartnerStatus;
import dev.ricochet.aggregator.catalog.ProgramSpec;
import dev.ricochet.aggregator.commission.CommissionEngine;
import dev.ricochet.aggregator.timeline.Timeline;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a partner change means beyond the catalog, whichever route made it (PUT, PATCH, approve, reject, bulk, import):
 * a partner created pending has applied ({@code partner.applied}), a status change is {@code partner.status_changed}
 * with from, to and the reason set with it, and a changed tier pin pins or unpins its tier. Compares the partner before
 * and after, at the change's place in the journal, so a replay records the same events. Aggregator thread only.
 */
final class PartnerLifecycle
{
    private final Timeline timeline;
    private final CommissionEngine commissions;

    /**
     * @param timeline    where the partner's changes are recorded.
     * @param commissions pins and unpins tiers.
     */
    PartnerLifecycle(final Timeline timeline, final CommissionEngine commissions)
    {
        this.timeline = timeline;
        this.commissions = commissions;
    }

    /**
     * @param before  the partner before the change, or null if new.
     * @param after   the partner as applied, with its number.
     * @param program its program.
     * @param timeMs  time of the change, from the journal.
     */
    void onPartnerChanged(final CatalogEntry<PartnerSpec> before, final CatalogEntry<PartnerSpec> after,
        final CatalogEntry<ProgramSpec> program, final long timeMs)
    {
        final PartnerStatus status = PartnerStatus.of(after.spec());
        if (null == before)
        {
            if (PartnerStatus.PENDING == status)
            {
                final Map<String, Object> data = new LinkedHashMap<>();
                data.put("status", status.wireName());
                timeline.record(after.number(), after, program, timeMs, "partner.applied", data);
            }
        }
        else if (PartnerStatus.of(before.spec()) != status)
        {
            final Map<String, Object> data = new LinkedHashMap<>();
            data.put("from", PartnerStatus.of(before.spec()).wireName());
            data.put("to", status.wireName());
            // The reason given with this change; one left from an earlier change would explain the wrong thing.
            data.put("reason", Objects.equals(before.spec().statusReason(), after.spec().statusReason()) ? null :
                after.spec().statusReason());
            timeline.record(after.number(), after, program, timeMs, "partner.status_changed", data);
        }
        commissions.onPartnerChanged(before, after, program, timeMs);
    }
}
