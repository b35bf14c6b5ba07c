package dev.ricochet.aggregator.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A partner's free tags (docs/catalog.md, "Custom attributes and tags"): each trimmed and lower-cased, then 1-50
 * characters of a-z 0-9 and {@code - _ . :}, starting with a letter or digit; at most 50, duplicates dropped (the first
 * place kept). Lower case makes {@code VIP} and {@code vip} one tag, in filters as in storage.
 */
public final class PartnerTags
{
    /**
     * Most tags a partner carries.
     */
    public static final int MAX_TAGS = 50;

    /**
     * Longest tag.
     */
    public static final int MAX_TAG_LENGTH = 50;

    private PartnerTags()
    {
    }

    /**
     * @param tags as received, or null.
     * @return the normalised tags in their first order, or null if none were given or all were empty of entries.
     * @throws InvalidSpecException naming the invalid tag.
     */
    public static List<String> normalise(final List<String> tags)
    {
        return normalise("tags", tags);
    }

    /**
     * @param field the request field, for the message ({@code tags}, {@code add}, {@code filter.tags}).
     * @param tags  as received, or null.
     * @return the normalised tags in their first order, or null if none.
     * @throws InvalidSpecException naming the invalid tag.
     */
    public static List<String> normalise(final String field, final List<String> tags)
    {
        if (null == tags)
        {
            return null;
        }
        if (tags.size() > MAX_TAGS)
        {
            throw new InvalidSpecException(field + " has more than " + MAX_TAGS + " entries");
        }
        final Set<String> result = new LinkedHashSet<>();
        for (int i = 0; i < tags.size(); i++)
        {
            result.add(tag(field + "[" + i + "]", tags.get(i)));
        }
        return result.isEmpty() ? null : List.copyOf(new ArrayList<>(result));
    }

    /**
     * @param field the request field, for the message.
     * @param tag   one tag as received.
     * @return the tag trimmed and lower-cased.
     * @throws InvalidSpecException if it is not a tag.
     */
    public static String tag(final String field, final String tag)
    {
        final String normalised = null == tag ? "" : tag.strip().toLowerCase(Locale.ROOT);
        boolean isValid = !normalised.isEmpty() && normalised.length() <= MAX_TAG_LENGTH;
        for (int i = 0; i < normalised.length() && isValid; i++)
        {
            final char c = normalised.charAt(i);
            final boolean isAlphanumeric = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            isValid = isAlphanumeric || (i > 0 && (c == '-' || c == '_' || c == '.' || c == ':'));
        }
        if (!isValid)
        {
            throw new InvalidSpecException(field + " '" + (null == tag || tag.length() <= 60 ? tag :
                tag.substring(0, 60) + "...") + "' is not a tag: 1-" + MAX_TAG_LENGTH +
                " of a-z 0-9 - _ . : (case-insensitive), starting with a letter or digit");
        }
        return normalised;
    }
}
