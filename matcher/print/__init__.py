"""The print kit: agendas with QR codes, table signs, the door list and the session matrix as PDF
(WeasyPrint), in the reader's language."""
