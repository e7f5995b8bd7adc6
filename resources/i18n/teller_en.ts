<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>AuditView</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/audit_view.py" line="305"/>
        <source>%n entries</source>
        <translation>
            <numerusform>%n entry</numerusform>
            <numerusform>%n entries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/audit_view.py" line="308"/>
        <source>%n entries shown; older entries load as you scroll down</source>
        <translation>
            <numerusform>%n entry shown; older entries load as you scroll down</numerusform>
            <numerusform>%n entries shown; older entries load as you scroll down</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/audit_view.py" line="348"/>
        <source>Chain intact: %n entries.</source>
        <translation>
            <numerusform>Chain intact: %n entry.</numerusform>
            <numerusform>Chain intact: %n entries.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/audit_view.py" line="385"/>
        <source>Exported %n entries to %1</source>
        <translation>
            <numerusform>Exported %n entry to %1</numerusform>
            <numerusform>Exported %n entries to %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CashText</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/cash_text.py" line="157"/>
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CustomerCard</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/customer_card.py" line="50"/>
        <source>%n min ago</source>
        <translation>
            <numerusform>%n min ago</numerusform>
            <numerusform>%n min ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/customer_card.py" line="52"/>
        <source>%n h ago</source>
        <translation>
            <numerusform>%n h ago</numerusform>
            <numerusform>%n h ago</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/customer_card.py" line="53"/>
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n day ago</numerusform>
            <numerusform>%n days ago</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CustomerForm</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/customer_form_checks.py" line="194"/>
        <source>Enter an amount with at most %n decimal place(s).</source>
        <translation>
            <numerusform>Enter an amount with at most %n decimal place.</numerusform>
            <numerusform>Enter an amount with at most %n decimal places.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/discard_prompt.py" line="27"/>
        <source>%n customer form(s) have unsaved changes. Discard them?</source>
        <translation>
            <numerusform>%n customer form has unsaved changes. Discard it?</numerusform>
            <numerusform>%n customer forms have unsaved changes. Discard them?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/discard_prompt.py" line="31"/>
        <source>%n customer save(s) already sent will finish first and are not discarded.</source>
        <translation>
            <numerusform>%n customer save already sent will finish first and is not discarded.</numerusform>
            <numerusform>%n customer saves already sent will finish first and are not discarded.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/main_window_leaving.py" line="105"/>
        <source>%n other change(s) already sent will finish first and are not cut off.</source>
        <translation>
            <numerusform>%n other change already sent will finish first and is not cut off.</numerusform>
            <numerusform>%n other changes already sent will finish first and are not cut off.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/history.py" line="243"/>
        <source>Offline: as of %1, only the newest %n payments, as last fetched</source>
        <translation>
            <numerusform>Offline: as of %1, only the newest %n payment, as last fetched</numerusform>
            <numerusform>Offline: as of %1, only the newest %n payments, as last fetched</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/history.py" line="253"/>
        <source>%n payments, fetched at %1</source>
        <translation>
            <numerusform>%n payment, fetched at %1</numerusform>
            <numerusform>%n payments, fetched at %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/history.py" line="255"/>
        <source>%1 of %n payments, fetched at %2</source>
        <translation>
            <numerusform>%1 of %n payment, fetched at %2</numerusform>
            <numerusform>%1 of %n payments, fetched at %2</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProfileForm</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/profile_manager_form.py" line="197"/>
        <source>must be at most %n characters.</source>
        <translation>
            <numerusform>must be at most %n character.</numerusform>
            <numerusform>must be at most %n characters.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/profile_manager_form.py" line="201"/>
        <source>must be at least %n characters.</source>
        <translation>
            <numerusform>must be at least %n character.</numerusform>
            <numerusform>must be at least %n characters.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ProfileManagerDialog</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/profile_manager.py" line="222"/>
        <source>%n profiles exported to {path} (no passwords).</source>
        <translation>
            <numerusform>%n profile exported to {path} (no passwords).</numerusform>
            <numerusform>%n profiles exported to {path} (no passwords).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/profile_delete.py" line="28"/>
        <source>%n audit entries of this profile have not reached the hub yet: deleting the profile deletes them, and the hub will never have them.</source>
        <translation>
            <numerusform>%n audit entry of this profile has not reached the hub yet: deleting the profile deletes it, and the hub will never have it.</numerusform>
            <numerusform>%n audit entries of this profile have not reached the hub yet: deleting the profile deletes them, and the hub will never have them.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/search_panel.py" line="212"/>
        <source>%n customer(s) match the filters</source>
        <translation>
            <numerusform>%n customer matches the filters</numerusform>
            <numerusform>%n customers match the filters</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/search_panel.py" line="213"/>
        <source>%n customer(s)</source>
        <translation>
            <numerusform>%n customer</numerusform>
            <numerusform>%n customers</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SetAsideList</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="109"/>
        <location filename="../../teller_app/ui/till_set_aside.py" line="132"/>
        <source>Co-signing closes the till without these %n payment(s), set aside: the platform confirmed them unlike their authorization, so the till does not count them.</source>
        <translation>
            <numerusform>Co-signing closes the till without %n payment, set aside: the platform confirmed it unlike its authorization, so the till does not count it.</numerusform>
            <numerusform>Co-signing closes the till without these %n payments, set aside: the platform confirmed them unlike their authorization, so the till does not count them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="113"/>
        <source>%n payment(s) set aside by this close: the platform confirmed them unlike their authorization. The supervisor&apos;s co-sign closes the till without them.</source>
        <translation>
            <numerusform>%n payment set aside by this close: the platform confirmed it unlike its authorization. The supervisor's co-sign closes the till without it.</numerusform>
            <numerusform>%n payments set aside by this close: the platform confirmed them unlike their authorization. The supervisor's co-sign closes the till without them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="117"/>
        <source>The till closed without these %n payment(s), set aside.</source>
        <translation>
            <numerusform>The till closed without %n payment, set aside.</numerusform>
            <numerusform>The till closed without these %n payments, set aside.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="118"/>
        <source>%n payment(s) confirmed on the platform unlike their authorization: the till cannot count them. The close needs a reason and a supervisor&apos;s co-sign, and sets them aside.</source>
        <translation>
            <numerusform>%n payment confirmed on the platform unlike its authorization: the till cannot count it. The close needs a reason and a supervisor's co-sign, and sets it aside.</numerusform>
            <numerusform>%n payments confirmed on the platform unlike their authorization: the till cannot count them. The close needs a reason and a supervisor's co-sign, and sets them aside.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="130"/>
        <source>… and %n more, listed in the close dialog.</source>
        <translation>
            <numerusform>… and %n more, listed in the close dialog.</numerusform>
            <numerusform>… and %n more, listed in the close dialog.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Supervision</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/supervision.py" line="375"/>
        <source>%n new change request(s) to decide</source>
        <translation>
            <numerusform>%n new change request to decide</numerusform>
            <numerusform>%n new change requests to decide</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TillCloseDialog</name>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_close.py" line="181"/>
        <source>Waiting for a supervisor: %n vault transfer(s) ({transfers}). The till closes only once a supervisor has approved or rejected each one; you may count the drawer meanwhile.</source>
        <translation>
            <numerusform>Waiting for a supervisor: %n vault transfer ({transfers}). The till closes only once a supervisor has approved or rejected it; you may count the drawer meanwhile.</numerusform>
            <numerusform>Waiting for a supervisor: %n vault transfers ({transfers}). The till closes only once a supervisor has approved or rejected each one; you may count the drawer meanwhile.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_close.py" line="315"/>
        <source>%n cash draft(s) never confirmed were voided.</source>
        <translation>
            <numerusform>%n cash draft never confirmed was voided.</numerusform>
            <numerusform>%n cash drafts never confirmed were voided.</numerusform>
        </translation>
    </message>
</context>
</TS>
