-- a neutralised copy (staging) issues no e-invoice: l10n_vn_edi_viettel blanks the
-- SInvoice credentials, and the shops stop issuing them
UPDATE entro_marketplace_shop
   SET einvoice_enabled = false;
