package dev.ricochet.aggregator.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ricochet.aggregator.admin.AdminRoles.Role;
import dev.ricochet.aggregator.counters.CounterField;
import dev.ricochet.aggregator.ledger.Ledger;
import dev.ricochet.ingest.StrictJson;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The owner roles of every field of every admin API answer, in one table: each answer is projected onto what the
 * caller's role owns before it is written. The route table ({@link AdminRoute}) says who may call an endpoint at all,
 * and which view it answers with; this table says what each of them then sees. docs/roles.md is this table in prose.
 *
 * <p>A field is named by its path in the answer: {@code conversions[].touches[].clickId}. A field whose value is an
 * object or array and has no paths of its own below it is owned whole. A field that is not in the table (a view grew
 * a field no one decided on) is shown to the admin only, so it leaks to no one; the role × endpoint × field test
 * ({@code AdminRolesSystemTest}) lists every field the admin sees on every endpoint, so it fails until the field is
 * declared here.
 *
 * <p>One row rule: in a conversion's {@code touches}, a partner sees only its own touches, never another partner's
 * id, click id, click time or credit.
 *
 * <p>One text rule: why a commission is held, released or voided (the fraud flags and finance's review reason) is
 * finance's review material wherever it is written, so a partner's token never reads it: not in a conversion's
 * {@code commission.flags}, nor in a {@code commission.*} timeline event's {@code data.flags} and
 * {@code data.reason}, nor in a ledger entry's {@code note} (an accrual's note is cut before
 * {@link Ledger#HELD_FOR_REVIEW}; a hold, release or void entry's note, finance's reason, is null). The partner still
 * sees that it happened, to which commission, and the amount.
 */
final class FieldOwners
{
    /**
     * The answers of the admin API, one per resource shape.
     */
    enum View
    {
        PROGRAM, PARTNER, LINK, COUPON, STATS, CONVERSIONS, LEDGER, TIMELINE, TOKEN, COMMISSION_REVIEW,
        HELD_COMMISSIONS, AT_RISK, PAYOUT_RUN,
        // part 8
        AUDIT,
        // part 8, item 4
        SEGMENT, SEGMENTS, BULK,
        // part 8, item 3
        APPLICATION,
        // part 8, item 1 (directory)
        PROGRAM_LIST, PARTNER_LIST,
        // part 8, item 7: named tokens
        NAMED_TOKEN, NAMED_TOKENS,
        // Part 8 item 1 (lists).
        LINKS, COUPONS, PROGRAM_CONVERSIONS, PAYOUT_RUNS,
        // part 8, item 9
        IMPORT,
        // part 8 item 6
        PROGRAM_REPORT
    }

    private static final Set<Role> ALL = Collections.unmodifiableSet(EnumSet.allOf(Role.class));
    private static final Set<Role> STAFF = Collections.unmodifiableSet(
        EnumSet.of(Role.ADMIN, Role.FINANCE, Role.ANALYST));
    private static final Set<Role> MONEY = Collections.unmodifiableSet(EnumSet.of(Role.ADMIN, Role.FINANCE));
    private static final Set<Role> MONEY_AND_SELF = Collections.unmodifiableSet(
        EnumSet.of(Role.ADMIN, Role.FINANCE, Role.PARTNER));
    private static final Set<Role> ADMIN = Collections.unmodifiableSet(EnumSet.of(Role.ADMIN));
    // A field no one decided on is the admin's alone until it is declared: it leaks to no other role, no request fails
    // over it, and the role x endpoint x field test (which lists the admin's fields exactly) fails until it is added.
    private static final Set<Role> UNDECLARED = ADMIN;
    private static final String TOUCHES = "conversions[].touches";
    private static final List<String> REVIEW_DATA = List.of("flags", "reason");
    private static final Set<String> STAFF_DATA_EVENTS = Set.of("partner.tags_changed", "partner.attribute_changed");

    private static final Map<View, Map<String, Set<Role>>> OWNERS = new EnumMap<>(View.class);

    /**
     * The audit trail's target kinds whose {@code before} and {@code after} are an entity's settings, and its view.
     */
    private static final Map<String, View> AUDIT_TARGETS = Map.of("program", View.PROGRAM, "partner", View.PARTNER,
        "link", View.LINK, "coupon", View.COUPON);

    static
    {
        final Map<String, Set<Role>> program = fields(STAFF, "id", "name", "currency", "defaultDestination",
            "clickParam", "attribution", "tiers", "holdDays", "minPayout", "recurringMonths", "pixelConversions",
            "tierMode", "tierReview", "retroactive", "monthlyCap", "fraud", "secretsSet");
        // Receivers keep their own token in the URL (Zapier, Slack): it is a credential, the admin's alone.
        program.put("webhookUrl", ADMIN);
        program.put("attributes", STAFF); // item 4: the custom attribute schema
        OWNERS.put(View.PROGRAM, program);

        final Map<String, Set<Role>> partner = fields(ALL, "id", "programId", "name", "email", "status", "tier",
            "tierSince", "nextTierReview", "commissionPercent", "leadCommission", "monthlyCap", "windows");
        // The manager's assessment of the partner (refund and fraud signals): not the partner's to read.
        partner.put("health", STAFF);
        partner.put("healthComponents", STAFF);
        // Where the partner is paid: finance's, and the partner's own; never the analyst's.
        partner.put("payoutAccount", MONEY_AND_SELF);
        // The partner's own customer ids, the self-referral check's watch list: customer identities.
        partner.put("customerIds", MONEY);
        // Item 4: the manager's own classification of the partner ("vip", "at-risk", its niche): staff's.
        partner.put("tags", STAFF);
        partner.put("attributes", STAFF);
        // Items 3 and 5 (part 8): why the status was last set, and a manual tier: the partner's to read too.
        partner.put("statusReason", ALL);
        partner.put("tierPin", ALL);
        partner.put("joinedAt", ALL);
        OWNERS.put(View.PARTNER, partner);

        OWNERS.put(View.LINK, fields(STAFF, "code", "partnerId", "programId", "destination"));
        OWNERS.put(View.COUPON, fields(STAFF, "code", "partnerId"));

        final Map<String, Set<Role>> stats = fields(ALL, "partnerId", "from", "to", "currency", "days", "hours");
        for (final CounterField field : CounterField.values())
        {
            stats.put(field.jsonName(), ALL);
        }
        OWNERS.put(View.STATS, stats);

        final Map<String, Set<Role>> conversions = fields(ALL, "partnerId", "conversions",
            "conversions[].programId", "conversions[].externalId", "conversions[].kind", "conversions[].time",
            "conversions[].amount", "conversions[].currency", "conversions[].credit", "conversions[].reversedAmount",
            "conversions[].attributedBy", "conversions[].coupon", TOUCHES, TOUCHES + "[].partnerId",
            TOUCHES + "[].clickId", TOUCHES + "[].clickTime", TOUCHES + "[].credit");
        // The customer's identity (often an email): finance's for disputes and refunds, no one else's.
        conversions.put("conversions[].customerId", MONEY);
        // A commission is ledger data: finance's and the partner's own, not the analyst's.
        conversions.put("conversions[].commission", MONEY_AND_SELF);
        conversions.put("conversions[].commission.kind", MONEY_AND_SELF);
        conversions.put("conversions[].commission.state", MONEY_AND_SELF);
        conversions.put("conversions[].commission.revenue", MONEY_AND_SELF);
        conversions.put("conversions[].commission.amount", MONEY_AND_SELF);
        // Which fraud check fired, and on what: finance's review material.
        conversions.put("conversions[].commission.flags", MONEY);
        OWNERS.put(View.CONVERSIONS, conversions);

        OWNERS.put(View.LEDGER, fields(MONEY_AND_SELF, "partnerId", "currency", "pending", "approved", "held",
            "scheduled", "paid", "asOf", "entries"));

        final Map<String, Set<Role>> timeline = fields(ALL, "partnerId", "events", "events[].id", "events[].type",
            "events[].time", "events[].programId", "events[].partnerId");
        // Amounts, payout runs and review reasons: money.
        timeline.put("events[].data", MONEY_AND_SELF);
        OWNERS.put(View.TIMELINE, timeline);

        OWNERS.put(View.TOKEN, fields(ADMIN, "partnerId", "token"));
        // Part 8, item 3: what the public apply endpoint answers (its caller has no role: the answer is not projected).
        OWNERS.put(View.APPLICATION, fields(ALL, "applicationId"));
        OWNERS.put(View.COMMISSION_REVIEW, fields(MONEY, "partnerId", "externalId", "state", "amount"));
        OWNERS.put(View.HELD_COMMISSIONS, fields(MONEY, "programId", "currency", "total", "commissions"));
        OWNERS.put(View.AT_RISK, fields(STAFF, "programId", "threshold", "partners"));
        // The trail's before and after hold payout accounts and commission overrides: money roles only.
        OWNERS.put(View.AUDIT, fields(MONEY, "items", "next"));
        // Part 8, item 4: saved segments (staff read them) and a bulk change's summary (the admin's own request).
        OWNERS.put(View.SEGMENT, fields(STAFF, "id", "programId", "name", "filter"));
        OWNERS.put(View.SEGMENTS, fields(STAFF, "items", "next"));
        OWNERS.put(View.BULK, fields(ADMIN, "action", "matched", "changed", "unchanged", "failed", "changedIds",
            "dryRun", "requestId"));
        // Part 8, item 7: named tokens are the unscoped admin's alone (the secret is in the creation's answer only).
        OWNERS.put(View.NAMED_TOKEN, fields(ADMIN, "id", "name", "role", "programId", "partnerId", "createdAt",
            "revokedAt", "token"));
        OWNERS.put(View.NAMED_TOKENS, fields(ADMIN, "items", "next"));
        // Part 8, item 9: an import's report or summary; only the admin imports.
        OWNERS.put(View.IMPORT, fields(ADMIN, "programId", "dryRun", "valid", "rows", "created", "updated",
            "unchanged", "refused", "errors"));
        // Part 8 item 6: program reports, staff's as the partner stats are (revenue and commission totals included).
        OWNERS.put(View.PROGRAM_REPORT, fields(STAFF, "programId", "from", "to", "days", "currency", "totals",
            "previous", "change", "daySeries", "weekSeries", "metric", "items", "weeks", "asOf", "partners",
            "threshold", "atRisk", "bands", "dormantDays", "joined", "active", "statusActive", "dormant"));
        OWNERS.put(View.PAYOUT_RUN, fields(MONEY, "id", "programId", "periodEnd", "status", "createdOn", "paidOn",
            "currency", "total", "partners"));

        // Part 8 item 1 (lists): the same owners as the single-item and partner-level views.
        OWNERS.put(View.LINKS, fields(STAFF, "items", "next", "items[].code", "items[].partnerId",
            "items[].destination"));
        OWNERS.put(View.COUPONS, fields(STAFF, "items", "next", "items[].code", "items[].partnerId"));
        final Map<String, Set<Role>> programConversions = fields(STAFF, "items", "next", "items[].externalId",
            "items[].kind", "items[].source", "items[].time", "items[].amount", "items[].currency",
            "items[].reversedAmount", "items[].originalExternalId", "items[].attributedBy",
            "items[].unattributedReason", "items[].coupon", "items[].credits", "items[].credits[].partnerId",
            "items[].credits[].credit");
        programConversions.put("items[].customerId", MONEY);
        for (final String field : List.of("", ".kind", ".state", ".revenue", ".amount", ".flags"))
        {
            programConversions.put("items[].credits[].commission" + field, MONEY);
        }
        OWNERS.put(View.PROGRAM_CONVERSIONS, programConversions);
        OWNERS.put(View.PAYOUT_RUNS, fields(MONEY, "items", "next", "items[].id", "items[].periodEnd",
            "items[].status", "items[].createdOn", "items[].paidOn", "items[].currency", "items[].total",
            "items[].partnerCount"));
        // Part 8, item 1: the directory. Staff only (the route refuses partners); an analyst sees the metrics,
        // commission included; the payout account and customer ids are never in it.
        OWNERS.put(View.PROGRAM_LIST, fields(STAFF, "items", "next", "items[].id", "items[].name",
            "items[].currency", "items[].partners", "items[].tiers", "items[].applicationsOpen"));
        OWNERS.put(View.PARTNER_LIST, fields(STAFF, "items", "next", "items[].id", "items[].programId",
            "items[].name", "items[].email", "items[].status", "items[].tier", "items[].tags", "items[].attributes",
            "items[].joinedAt", "items[].health", "items[].clicks", "items[].leads", "items[].sales",
            "items[].conversions", "items[].revenue", "items[].commission", "items[].epc", "items[].conversionRate",
            "items[].currency"));
    }

    private FieldOwners()
    {
    }

    /**
     * @param view the view.
     * @return each field path of the view and the roles that own it, for documentation and tests.
     */
    static Map<String, Set<Role>> owners(final View view)
    {
        return Collections.unmodifiableMap(OWNERS.get(view));
    }

    /**
     * @param caller   who asked.
     * @param view     what the endpoint answers with, or null to leave the answer as it is.
     * @param response the endpoint's answer.
     * @return the answer with only the fields the caller's role owns; errors and files unchanged.
     */
    static ApiResponse project(final AdminRoles.Caller caller, final View view, final ApiResponse response)
    {
        if (null == view || response.status() < 200 || response.status() > 299 ||
            response.body() instanceof ApiResponse.File)
        {
            return response;
        }
        final JsonNode tree = StrictJson.MAPPER.valueToTree(response.body());
        project(caller, view, OWNERS.get(view), "", tree);
        if (Role.PARTNER == caller.role())
        {
            withoutReviewMaterial(view, tree);
        }
        if (View.AUDIT == view)
        {
            withoutUnownedSettings(caller.role(), tree);
        }
        return response.withBody(tree);
    }

    private static void project(final AdminRoles.Caller caller, final View view,
        final Map<String, Set<Role>> owners, final String path, final JsonNode node)
    {
        if (node instanceof ObjectNode)
        {
            final ObjectNode object = (ObjectNode)node;
            for (final Map.Entry<String, JsonNode> field : new ArrayList<>(object.properties()))
            {
                final String fieldPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                final Set<Role> roles = owners.getOrDefault(fieldPath, UNDECLARED);
                if (!roles.contains(caller.role()))
                {
                    object.remove(field.getKey());
                }
                else if (hasChildren(owners, fieldPath))
                {
                    project(caller, view, owners, fieldPath, field.getValue());
                }
            }
        }
        else if (node instanceof ArrayNode)
        {
            final Iterator<JsonNode> elements = node.elements();
            while (elements.hasNext())
            {
                final JsonNode element = elements.next();
                if (TOUCHES.equals(path) && View.CONVERSIONS == view && Role.PARTNER == caller.role() &&
                    !caller.partnerId().equals(element.path("partnerId").asText(null)))
                {
                    elements.remove(); // a partner sees only its own touches
                    continue;
                }
                project(caller, view, owners, path + "[]", element);
            }
        }
    }

    private static void withoutReviewMaterial(final View view, final JsonNode tree)
    {
        if (View.TIMELINE == view)
        {
            for (final JsonNode event : tree.path("events"))
            {
                final JsonNode data = event.get("data");
                if (data instanceof ObjectNode && event.path("type").asText("").startsWith("commission."))
                {
                    ((ObjectNode)data).remove(REVIEW_DATA);
                }
                // Part 8, item 4: tags and attribute values are the manager's classification, staff's to read.
                if (STAFF_DATA_EVENTS.contains(event.path("type").asText("")) && event instanceof ObjectNode)
                {
                    ((ObjectNode)event).putNull("data");
                }
            }
        }
        else if (View.LEDGER == view)
        {
            for (final JsonNode entry : tree.path("entries"))
            {
                final JsonNode note = entry.get("note");
                if (!(entry instanceof ObjectNode) || null == note || !note.isTextual())
                {
                    continue;
                }
                final String type = entry.path("type").asText("");
                if ("hold".equals(type) || "release".equals(type) || "void".equals(type))
                {
                    ((ObjectNode)entry).putNull("note");
                }
                else
                {
                    final int review = note.asText().indexOf(Ledger.HELD_FOR_REVIEW);
                    if (review >= 0)
                    {
                        ((ObjectNode)entry).put("note", note.asText().substring(0, review));
                    }
                }
            }
        }
    }

    /**
     * The trail's rule: a record's {@code before} and {@code after} are its target's stored settings, so a field the
     * target's own view keeps from the caller's role (a program's {@code webhookUrl} from finance) is cut from them
     * too. Fields the view does not declare (a command's outcome) stay: the trail is read by the money roles only.
     */
    private static void withoutUnownedSettings(final Role role, final JsonNode tree)
    {
        for (final JsonNode item : tree.path("items"))
        {
            final View target = AUDIT_TARGETS.get(item.path("target").asText("").split(":", 2)[0]);
            if (null == target)
            {
                continue;
            }
            for (final String side : List.of("before", "after"))
            {
                if (item.get(side) instanceof ObjectNode settings)
                {
                    for (final Map.Entry<String, Set<Role>> field : OWNERS.get(target).entrySet())
                    {
                        if (!field.getValue().contains(role))
                        {
                            settings.remove(field.getKey());
                        }
                    }
                }
            }
        }
    }

    private static boolean hasChildren(final Map<String, Set<Role>> owners, final String path)
    {
        final String field = path + ".";
        final String element = path + "[]";
        for (final String key : owners.keySet())
        {
            if (key.startsWith(field) || key.startsWith(element))
            {
                return true;
            }
        }
        return false;
    }

    private static Map<String, Set<Role>> fields(final Set<Role> roles, final String... paths)
    {
        final Map<String, Set<Role>> fields = new LinkedHashMap<>();
        for (final String path : paths)
        {
            fields.put(path, roles);
        }
        return fields;
    }
}
