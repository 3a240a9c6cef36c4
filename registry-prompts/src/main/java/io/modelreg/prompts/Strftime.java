package io.modelreg.prompts;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Python's {@code strftime} in the C locale for {@code java.time} values: {@code %a %A %b %B %c %d %e %f %H
 * %I %j %m %M %p %S %U %w %W %x %X %y %Y %z %Z %%}. A {@code LocalDate} has midnight as its time, as a
 * Python {@code date} does; an unknown directive is copied as it is (glibc's behaviour).
 */
final class Strftime {
  private Strftime() {}

  static String format(Object value, String pattern) {
    LocalDateTime t;
    ZoneOffset offset = null;
    String zoneName = "";
    if (value instanceof LocalDate) {
      t = ((LocalDate) value).atStartOfDay();
    } else if (value instanceof LocalDateTime) {
      t = (LocalDateTime) value;
    } else {
      OffsetDateTime odt = value instanceof Instant ? ((Instant) value).atOffset(ZoneOffset.UTC)
          : value instanceof ZonedDateTime ? ((ZonedDateTime) value).toOffsetDateTime() : (OffsetDateTime) value;
      t = odt.toLocalDateTime();
      offset = odt.getOffset();
      zoneName = value instanceof ZonedDateTime ? ((ZonedDateTime) value).getZone().getDisplayName(TextStyle.SHORT, Locale.ROOT)
          : offset.equals(ZoneOffset.UTC) ? "UTC" : "UTC" + offset(offset, true);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c != '%' || i + 1 >= pattern.length()) {
        sb.append(c);
        continue;
      }
      char d = pattern.charAt(++i);
      String piece = directive(d, t, offset, zoneName);
      sb.append(piece != null ? piece : "%" + d);
    }
    return sb.toString();
  }

  private static @Nullable String directive(char d, LocalDateTime t, @Nullable ZoneOffset offset, String zoneName) {
    int wday = t.getDayOfWeek().getValue() % 7; // Sunday = 0
    int yday = t.getDayOfYear() - 1;
    switch (d) {
      case 'a':
        return t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'A':
        return t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'b':
        return t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'B':
        return t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'c':
        return directive('a', t, offset, zoneName) + " " + directive('b', t, offset, zoneName) + " "
            + directive('e', t, offset, zoneName) + " " + two(t.getHour()) + ":" + two(t.getMinute()) + ":"
            + two(t.getSecond()) + " " + t.getYear();
      case 'd':
        return two(t.getDayOfMonth());
      case 'e':
        return (t.getDayOfMonth() < 10 ? " " : "") + t.getDayOfMonth();
      case 'f':
        return String.format(Locale.ROOT, "%06d", t.getNano() / 1000);
      case 'H':
        return two(t.getHour());
      case 'I':
        return two(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
      case 'j':
        return String.format(Locale.ROOT, "%03d", t.getDayOfYear());
      case 'm':
        return two(t.getMonthValue());
      case 'M':
        return two(t.getMinute());
      case 'p':
        return t.getHour() < 12 ? "AM" : "PM";
      case 'S':
        return two(t.getSecond());
      case 'U':
        return two((yday + 7 - wday) / 7);
      case 'w':
        return Integer.toString(wday);
      case 'W':
        return two((yday + 7 - (wday + 6) % 7) / 7);
      case 'x':
        return two(t.getMonthValue()) + "/" + two(t.getDayOfMonth()) + "/" + two(t.getYear() % 100);
      case 'X':
        return two(t.getHour()) + ":" + two(t.getMinute()) + ":" + two(t.getSecond());
      case 'y':
        return two(t.getYear() % 100);
      case 'Y':
        return Integer.toString(t.getYear());
      case 'z':
        return offset == null ? "" : offset(offset, false);
      case 'Z':
        return zoneName;
      case '%':
        return "%";
      default:
        return null;
    }
  }

  private static String two(int v) {
    return v < 10 ? "0" + v : Integer.toString(v);
  }

  /** {@code +HHMM} (strftime) or {@code +HH:MM} (isoformat), with seconds when the offset has them. */
  static String offset(ZoneOffset offset, boolean colon) {
    int total = offset.getTotalSeconds();
    String sign = total < 0 ? "-" : "+";
    total = Math.abs(total);
    String sep = colon ? ":" : "";
    String s = sign + two(total / 3600) + sep + two(total / 60 % 60);
    return total % 60 == 0 ? s : s + sep + two(total % 60);
  }
}
