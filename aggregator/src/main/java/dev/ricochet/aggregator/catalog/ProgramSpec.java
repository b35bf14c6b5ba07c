package dev.ricochet.aggregator.catalog;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;

/**
 * A program as the admin API accepts it ({@code PUT /v1/programs/{programId}}); optional fields may be null and
 * take their defaults in {@link CatalogValidation}.
 *
 * @param name               display name.
 * @param currency           ISO-4217 code every amount of the program is in.
 * @param defaultDestination where the program's traffic lands when no link destination applies.
 * @param clickParam         query parameter that carries the click id to the destination.
 * @param attribution        model and window.
 * @param tiers              tier ladder, lowest first.
 * @param holdDays           days a commission stays pending before approval.
 * @param minPayout          smallest balance paid out, in minor units.
 * @param secrets            keys for intake endpoints.
 * @param recurringMonths    months after a referred customer's first sale during which their recurring invoices
 *                           still credit the partner.
 * @param pixelConversions   accept conversions reported by the browser through the pixel
 *                           ({@code /p.gif?e=conversion&program=&order_id=&amount=}); off by default, since anyone
 *                           can load a pixel: such conversions are only credited to earlier real clicks.
 * @param tierMode           {@code highest} (default): the partner's tier rate applies to the whole sale;
 *                           {@code graduated}: each tier's rate applies only to the part of the partner's window
 *                           revenue inside that tier's band (from its minRevenue to the next tier's).
 * @param tierReview         when downgrades are considered: {@code daily}, {@code weekly} (Mondays),
 *                           {@code monthly} (default, the 1st) or {@code quarterly}; upgrades never wait.
 * @param retroactive        on an upgrade, re-rate the partner's unpaid percent commissions inside the new tier's
 *                           window to the new rate, as explicit {@code rerate} ledger entries.
 * @param monthlyCap         most commission a partner accrues per calendar month (UTC), in minor units, or null.
 * @param webhookUrl         where tier changes, holds and payouts are posted (signed with {@code secrets.webhook}),
 *                           or null.
 * @param fraud              the conversion fraud checks that put new commissions on hold; filled with defaults by
 *                           {@link CatalogValidation}. Null only in a program journaled before the checks existed,
 *                           which keeps them off so that a replay of an old journal makes the decisions it made then.
 * @param attributes         the schema of the custom attributes its partners carry (part 8), or null.
 * @param applications       whether the public apply endpoint takes applications, or null (closed).
 */
public record ProgramSpec(
    String name,
    String currency,
    String defaultDestination,
    String clickParam,
    Attribution attribution,
    List<Tier> tiers,
    Integer holdDays,
    Long minPayout,
    Secrets secrets,
    Integer recurringMonths,
    Boolean pixelConversions,
    String tierMode,
    String tierReview,
    Boolean retroactive,
    Long monthlyCap,
    String webhookUrl,
    Fraud fraud,
    List<AttributeDef> attributes,
    Applications applications)
{
    /**
     * A custom attribute of the program's partners.
     *
     * @param name        key in {@link PartnerSpec#attributes()}.
     * @param type        {@code text}, {@code number}, {@code date} (YYYY-MM-DD) or {@code choice}.
     * @param label       shown to people (the application form, the dashboard), or null for the name.
     * @param required    a partner must carry it.
     * @param choices     the allowed values of a {@code choice}.
     * @param application asked on the public application form.
     */
    public record AttributeDef(String name, String type, String label, Boolean required, List<String> choices,
        Boolean application)
    {
    }

    /**
     * The program's public applications.
     *
     * @param open the apply endpoint takes applications.
     */
    public record Applications(Boolean open)
    {
    }

    /**
     * @return true if tier rates apply per revenue band.
     */
    @JsonIgnore
    public boolean isGraduated()
    {
        return "graduated".equals(tierMode);
    }

    /**
     * Attribution settings of a program.
     *
     * @param model        last_click, first_click, linear, position_based or time_decay.
     * @param windowDays   days after a click during which a conversion is credited to it.
     * @param halfLifeDays half-life of a touch's weight in the time_decay model.
     */
    public record Attribution(String model, Integer windowDays, Integer halfLifeDays)
    {
    }

    /**
     * One rung of the tier ladder.
     *
     * @param name              tier name.
     * @param minConversions    conversions over the window that qualify, or null.
     * @param minRevenue        revenue in minor units over the window that qualifies, or null.
     * @param windowDays        qualifying window.
     * @param commissionPercent exact decimal percent of sales and recurring payments, as a string to keep it exact.
     * @param leadCommission    flat commission per lead, in minor units (0 if absent).
     */
    public record Tier(
        String name, Integer minConversions, Long minRevenue, Integer windowDays, String commissionPercent,
        Long leadCommission)
    {
    }

    /**
     * Shared secrets of the program's intake endpoints; never returned by the API.
     *
     * @param apiKey   bearer key for {@code POST /v1/conversions}.
     * @param stripe   Stripe webhook signing secret ({@code whsec_...}).
     * @param shopify  Shopify webhook secret.
     * @param postback secret for {@code GET /postback}.
     * @param webhook  key that signs outbound webhooks to {@code webhookUrl}.
     */
    public record Secrets(String apiKey, String stripe, String shopify, String postback, String webhook)
    {
    }

    /**
     * Conversion fraud checks of a program: a new commission that fails any of them accrues as held, with the reasons,
     * until finance releases or voids it. Each check is off at 0 (or false).
     *
     * @param minClickToConversionSeconds a conversion credited to a click fewer seconds after it is flagged
     *                                    ({@code click_to_conversion}); default 10.
     * @param selfReferral                flag a conversion whose customer id is the partner's own: its id, email
     *                                    (or the hex SHA-256 of it), or one of its {@code customerIds}
     *                                    ({@code self_referral}); default true.
     * @param maxRefundRatePercent        flag every new commission of a partner whose refunds over the window exceed
     *                                    this percent of its revenue ({@code refund_rate}); default 30.
     * @param refundRateWindowDays        days the refund rate is measured over, ending on the conversion's day;
     *                                    default 30.
     * @param refundRateMinSales          sales the partner must have in the window before its rate is judged;
     *                                    default 10.
     * @param holdPixelReported           hold every commission of a conversion only the browser's pixel reported,
     *                                    whose amount anyone can write ({@code pixel_reported}); default true. Null
     *                                    in a program journaled before the check existed: off, as it was then.
     */
    public record Fraud(
        Integer minClickToConversionSeconds,
        Boolean selfReferral,
        Integer maxRefundRatePercent,
        Integer refundRateWindowDays,
        Integer refundRateMinSales,
        Boolean holdPixelReported)
    {
    }
}
