CREATE INDEX attachments_uploaded_by ON attachments (uploaded_by);
