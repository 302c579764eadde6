// Prints, as JSON, what ical.js (the iCalendar parser of Thunderbird) reads in the .ics files named on
// the command line. Each file's VTIMEZONEs are registered first, so that times with a TZID are read
// by the file's own definition of the zone, as a client without a zone database of its own would.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function read(text) {
  const root = new ICAL.Component(ICAL.parse(text));
  ICAL.TimezoneService.reset();
  for (const zone of root.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
  const utc = (time) => time.toJSDate().toISOString();
  return {
    method: root.getFirstPropertyValue("method"),
    timezones: root.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")),
    events: root.getAllSubcomponents("vevent").map((vevent) => {
      const event = new ICAL.Event(vevent);
      return {
        uid: event.uid,
        sequence: event.sequence,
        status: vevent.getFirstPropertyValue("status"),
        summary: event.summary,
        location: event.location,
        description: event.description,
        tzid: vevent.getFirstProperty("dtstart").getParameter("tzid") ?? null,
        start: utc(event.startDate),
        end: utc(event.endDate),
        stamp: utc(vevent.getFirstPropertyValue("dtstamp")),
        organizer: vevent.getFirstPropertyValue("organizer"),
        attendees: vevent.getAllProperties("attendee").map((p) => ({
          address: p.getFirstValue(),
          cn: p.getParameter("cn"),
          role: p.getParameter("role"),
          partstat: p.getParameter("partstat"),
          rsvp: p.getParameter("rsvp"),
        })),
      };
    }),
  };
}

const files = process.argv.slice(2);
console.log(JSON.stringify(files.map((path) => read(readFileSync(path, "utf8")))));
