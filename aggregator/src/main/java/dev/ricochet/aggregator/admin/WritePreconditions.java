package dev.ricochet.aggregator.admin;

import dev.ricochet.aggregator.catalog.InvalidSpecException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The conditions of a write ({@code If-Match}, {@code If-None-Match}, RFC 9110 section 13.1) and their verdict against
 * the entity's current tag: {@code If-Match: "tag"} writes only over that version, {@code If-Match: *} only over an
 * existing entity, {@code If-None-Match: *} only where none exists (create-only). If-Match compares strongly (a weak
 * tag never matches), If-None-Match weakly. A malformed header is a 400 naming it.
 *
 * @param ifMatch     the tags of If-Match ({@code *} as its own element), or null if absent.
 * @param ifNoneMatch the tags of If-None-Match, or null if absent.
 */
record WritePreconditions(List<Tag> ifMatch, List<Tag> ifNoneMatch)
{
    /**
     * Most tags one header may list.
     */
    static final int MAX_TAGS = 32;

    /**
     * Longest opaque tag accepted (ours are 22 characters).
     */
    static final int MAX_TAG_LENGTH = 128;

    /**
     * One entity-tag of a header.
     *
     * @param opaque the tag with its quotes ({@code "abc"}), or {@code *}.
     * @param isWeak it was written {@code W/"abc"}.
     */
    record Tag(String opaque, boolean isWeak)
    {
        boolean isAny()
        {
            return "*".equals(opaque);
        }
    }

    /**
     * @param ifMatch     the If-Match header, or null.
     * @param ifNoneMatch the If-None-Match header, or null.
     * @return the conditions.
     * @throws InvalidSpecException naming the header if one is malformed (a 400).
     */
    static WritePreconditions of(final String ifMatch, final String ifNoneMatch)
    {
        return new WritePreconditions(parse("If-Match", ifMatch), parse("If-None-Match", ifNoneMatch));
    }

    /**
     * @return true if the request states no condition.
     */
    boolean isEmpty()
    {
        return null == ifMatch && null == ifNoneMatch;
    }

    /**
     * @param what       the entity, for the message ("partner 'ann'").
     * @param currentTag the entity's current tag, or null if it does not exist.
     * @return why the write may not proceed (a 412), or null if it may.
     */
    String refusal(final String what, final String currentTag)
    {
        if (null != ifMatch)
        {
            if (null == currentTag)
            {
                return what + " does not exist; If-Match requires an existing version (leave If-Match out to " +
                    "create it)";
            }
            if (!matchesStrongly(currentTag))
            {
                return what + " changed since the version your If-Match names (someone else wrote it): re-read it " +
                    "(GET), apply your change to what is there now, and send it with the new ETag";
            }
        }
        if (null != ifNoneMatch && null != currentTag)
        {
            for (final Tag tag : ifNoneMatch)
            {
                if (tag.isAny())
                {
                    return what + " already exists; If-None-Match: * creates only (leave it out to replace it, or " +
                        "PATCH it)";
                }
                if (tag.opaque().equals(currentTag))
                {
                    return what + " is still the version your If-None-Match names";
                }
            }
        }
        return null;
    }

    private boolean matchesStrongly(final String currentTag)
    {
        for (final Tag tag : ifMatch)
        {
            if (tag.isAny() || (!tag.isWeak() && tag.opaque().equals(currentTag)))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code "*" / #entity-tag}: tags separated by commas and optional white space; an entity-tag is
     * {@code [W/] DQUOTE *etagc DQUOTE}, etagc being visible ASCII but the double quote (or obs-text).
     */
    private static List<Tag> parse(final String header, final String value)
    {
        if (null == value)
        {
            return null;
        }
        final String trimmed = value.strip();
        if ("*".equals(trimmed))
        {
            return List.of(new Tag("*", false));
        }
        final List<Tag> tags = new ArrayList<>();
        int i = 0;
        while (i < trimmed.length())
        {
            final char c = trimmed.charAt(i);
            if (',' == c || ' ' == c || '\t' == c)
            {
                i++;
                continue;
            }
            final boolean isWeak = trimmed.startsWith("W/", i);
            final int open = isWeak ? i + 2 : i;
            final int close = open < trimmed.length() && '"' == trimmed.charAt(open) ? trimmed.indexOf('"', open + 1) :
                -1;
            if (close < 0 || close - open - 1 > MAX_TAG_LENGTH || !isTagText(trimmed, open + 1, close))
            {
                throw new InvalidSpecException(header + " must be * or a list of quoted entity tags (\"...\" as " +
                    "the ETag header gave them), not " + abbreviated(value));
            }
            tags.add(new Tag(trimmed.substring(open, close + 1), isWeak));
            if (tags.size() > MAX_TAGS)
            {
                throw new InvalidSpecException(header + " lists more than " + MAX_TAGS + " entity tags");
            }
            i = close + 1;
            if (i < trimmed.length() && ',' != trimmed.charAt(i) && ' ' != trimmed.charAt(i) &&
                '\t' != trimmed.charAt(i))
            {
                throw new InvalidSpecException(header + ": entity tags must be separated by commas");
            }
        }
        if (tags.isEmpty())
        {
            throw new InvalidSpecException(header + " is empty: give * or a quoted entity tag");
        }
        return Collections.unmodifiableList(tags);
    }

    private static boolean isTagText(final String text, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final char c = text.charAt(i);
            if (c < 0x21 || 0x7F == c)
            {
                return false;
            }
        }
        return true;
    }

    private static String abbreviated(final String value)
    {
        final String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        final StringBuilder printable = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++)
        {
            final char c = shown.charAt(i);
            printable.append(c < 0x20 || 0x7F == c ? '?' : c);
        }
        return "'" + printable + "'";
    }
}
