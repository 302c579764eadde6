"""The print kit of the published timetable, as PDF downloads (made by `matcher.print`)."""
