package dev.ricochet.aggregator.directory;

import java.util.List;
import java.util.Map;

/**
 * Which partners of a program a directory page, a saved segment or a bulk change is about. Every condition given must
 * hold (and); within one list, any value may (or). Null or empty means no condition.
 *
 * @param status     partner statuses.
 * @param tier       tier names.
 * @param tags       tags, any of which the partner carries.
 * @param attributes custom attribute values by name (exact match of the value's text form).
 * @param q          text searched, case-insensitive, in name and email.
 */
public record PartnerFilter(
    List<String> status,
    List<String> tier,
    List<String> tags,
    Map<String, String> attributes,
    String q)
{
}
