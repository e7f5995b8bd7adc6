<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="uk">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../teller_app/ui/about.py" line="47"/>
        <location filename="../../teller_app/ui/about.py" line="67"/>
        <source>About Teller</source>
        <translation>Про Teller</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/about.py" line="50"/>
        <source>Teller icon</source>
        <translation>Значок Teller</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/about.py" line="53"/>
        <source>Version</source>
        <translation>Версія</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/about.py" line="55"/>
        <source>Profile</source>
        <translation>Профіль</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/about.py" line="56"/>
        <source>Platform</source>
        <translation>Платформа</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/about.py" line="57"/>
        <source>Teller Hub</source>
        <translation>Teller Hub</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/about.py" line="57"/>
        <source>none</source>
        <translation>немає</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/about.py" line="62"/>
        <source>Branch desk for the e-hryvnia platform.</source>
        <translation>Робоче місце відділення для платформи е-гривні.</translation>
    </message>
</context>
<context>
    <name>AccountPanel</name>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="125"/>
        <source>account</source>
        <translation>рахунок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="126"/>
        <source>Account: {name}</source>
        <translation>Рахунок: {name}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="129"/>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="130"/>
        <source>Co&amp;py</source>
        <translation>К&amp;опіювати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="132"/>
        <source>Copy the IBAN without spaces</source>
        <translation>Скопіювати IBAN без пробілів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="133"/>
        <source>IBAN</source>
        <translation>IBAN</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="136"/>
        <source>Asset</source>
        <translation>Актив</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="138"/>
        <location filename="../../teller_app/ui/account_panel.py" line="141"/>
        <source>Balance</source>
        <translation>Баланс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="142"/>
        <source>no assets</source>
        <translation>немає активів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/account_panel.py" line="143"/>
        <source>Account GUID</source>
        <translation>GUID рахунку</translation>
    </message>
</context>
<context>
    <name>AppController</name>
    <message>
        <location filename="../../teller_app/ui/startup.py" line="99"/>
        <source>Teller could not start: {error}</source>
        <translation>Не вдалося запустити Teller: {error}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/startup.py" line="170"/>
        <source>There is no profile named {name}.</source>
        <translation>Профілю з назвою {name} не існує.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/startup.py" line="185"/>
        <source>Starting the sandbox…</source>
        <translation>Запуск пісочниці…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/startup.py" line="200"/>
        <source>The sandbox did not start: {error}</source>
        <translation>Не вдалося запустити пісочницю: {error}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/startup.py" line="295"/>
        <source>Opening the branch cache…</source>
        <translation>Відкриття локального кешу відділення…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/start_main_window.py" line="36"/>
        <source>The bank&apos;s Teller Hub refused to open a session for this sign-in: four-eyes approvals and customer secrets are unavailable, so new customers cannot be created for now. Sign in again; if this stays, ask your administrator.</source>
        <translation>Teller Hub банку відмовився відкрити сеанс для цього входу: погодження «чотири ока» та секрети клієнтів недоступні, тож нових клієнтів поки що створити не можна. Увійдіть знову; якщо це повториться, зверніться до адміністратора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/start_main_window.py" line="41"/>
        <source>The bank&apos;s Teller Hub is reachable but could not read the platform just now: four-eyes approvals and customer secrets are unavailable until it can, so new customers cannot be created for now. Teller keeps trying by itself; this notice goes away once the hub can read the platform.</source>
        <translation>Teller Hub банку доступний, але зараз не зміг прочитати дані платформи: погодження «чотири ока» та секрети клієнтів недоступні, доки він не зможе, тож нових клієнтів поки що створити не можна. Teller автоматично повторює спроби; це повідомлення зникне, щойно Teller Hub зможе читати платформу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/start_main_window.py" line="46"/>
        <source>The bank&apos;s Teller Hub cannot be reached: four-eyes approvals and customer secrets are unavailable, so new customers cannot be created for now.</source>
        <translation>Teller Hub банку недоступний: погодження «чотири ока» та секрети клієнтів зараз недоступні, тож нових клієнтів поки що створити не можна.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="279"/>
        <source>This desk&apos;s cache was made by a newer Teller: it is being rebuilt.</source>
        <translation>Кеш цього робочого місця створила новіша версія Teller: його буде перебудовано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/start_main_window.py" line="73"/>
        <source>Teller — SANDBOX (demo data)</source>
        <translation>Teller — ПІСОЧНИЦЯ (демодані)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/startup.py" line="314"/>
        <location filename="../../teller_app/ui/startup.py" line="328"/>
        <location filename="../../teller_app/ui/zone_check.py" line="53"/>
        <source>Teller</source>
        <translation>Teller</translation>
    </message>
</context>
<context>
    <name>ApprovalsInbox</name>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="232"/>
        <source>Refresh</source>
        <translation>Оновити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="223"/>
        <source>Change requests</source>
        <translation>Запити на зміну</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="34"/>
        <source>phone %1</source>
        <translation>телефон %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="35"/>
        <source>login %1</source>
        <translation>логін %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="38"/>
        <source>Customer: %1</source>
        <translation>Клієнт: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="39"/>
        <source>Customer: %1 (%2)</source>
        <translation>Клієнт: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="46"/>
        <source>Requested by %1</source>
        <translation>Запит подав(ла): %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="47"/>
        <source>Requested by %1 on %2</source>
        <translation>Запит подав(ла): %1, %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="53"/>
        <source>Request: %1</source>
        <translation>Запит: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="69"/>
        <source>%1: %2 → %3</source>
        <translation>%1: %2 → %3</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="82"/>
        <source>Change: %1</source>
        <translation>Зміна: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="89"/>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="134"/>
        <source>Reason: %1</source>
        <translation>Причина: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="105"/>
        <source>Rejected: %1 — %2</source>
        <translation>Відхилено: %1 — %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="107"/>
        <source>Approved and applied: %1 — %2</source>
        <translation>Погоджено й застосовано: %1 — %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_detail.py" line="109"/>
        <source>Approved, waiting to be applied: %1 — %2</source>
        <translation>Погоджено, чекає на застосування: %1 — %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="175"/>
        <source>Select a request first.</source>
        <translation>Спершу виберіть запит.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="170"/>
        <source>Reading the customer</source>
        <translation>Читання даних клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="182"/>
        <source>This request is approved already: Resume applies it.</source>
        <translation>Цей запит уже погоджено: «Продовжити» застосує його.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="218"/>
        <source>Deciding</source>
        <translation>Ухвалення рішення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="236"/>
        <source>Select an approved request that was not applied first.</source>
        <translation>Спершу виберіть погоджений запит, який не було застосовано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="245"/>
        <source>Resumed: approved and applied.</source>
        <translation>Продовжено: погоджено й застосовано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="251"/>
        <source>Still not applied: the Teller Hub could not finish it. Try again later.</source>
        <translation>Досі не застосовано: Teller Hub не зміг завершити. Спробуйте пізніше.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="262"/>
        <source>Resuming</source>
        <translation>Продовження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="32"/>
        <source>Someone else has already decided this request.</source>
        <translation>Хтось інший уже ухвалив рішення щодо цього запиту.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="101"/>
        <source>Another approved change to this customer is still being applied: this request is still waiting. Approve it again once that change has ended.</source>
        <translation>Інша схвалена зміна цього клієнта ще застосовується: цей запит досі чекає. Схваліть його знову, коли та зміна завершиться.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="39"/>
        <source>You cannot decide your own request: another supervisor must.</source>
        <translation>Ви не можете ухвалювати рішення щодо власного запиту: це має зробити інший контролер.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="42"/>
        <source>Your role does not allow this.</source>
        <translation>Ваша роль цього не дозволяє.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="46"/>
        <source>Someone changed this customer meanwhile: nothing was saved. Look at the card again.</source>
        <translation>Тим часом цього клієнта змінив хтось інший: нічого не збережено. Перегляньте картку ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="66"/>
        <source>The request could not be processed: %1</source>
        <translation>Не вдалося обробити запит: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="89"/>
        <source>The request is still waiting: reject it with a comment for its maker.</source>
        <translation>Запит і далі чекає: відхиліть його з коментарем для автора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="106"/>
        <source>Request %1 for this customer was approved but not applied: it waits for Resume. This request is still waiting: resume that one, then approve this one again.</source>
        <translation>Запит %1 щодо цього клієнта схвалено, але не застосовано: він чекає на «Відновити». Цей запит і далі чекає: відновіть той, а тоді схваліть цей ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="109"/>
        <source>Request %1 for this customer is being applied: this request is still waiting. Approve it again once that one has finished.</source>
        <translation>Запит %1 щодо цього клієнта саме застосовується: цей запит і далі чекає. Схваліть його ще раз, коли той завершиться.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="224"/>
        <source>Selected request</source>
        <translation>Вибраний запит</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="225"/>
        <source>Comment (required to reject)</source>
        <translation>Коментар (обов’язковий для відхилення)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="226"/>
        <source>Comme&amp;nt:</source>
        <translation>Ко&amp;ментар:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="227"/>
        <source>&amp;Approve</source>
        <translation>&amp;Погодити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="228"/>
        <source>&amp;Reject</source>
        <translation>Від&amp;хилити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="229"/>
        <source>Resume</source>
        <translation>Продовжити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="231"/>
        <source>Apply an approved change the Teller Hub could not finish</source>
        <translation>Застосувати погоджену зміну, яку Teller Hub не зміг завершити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="234"/>
        <source>The list updates by itself; Refresh reads it again from the Teller Hub</source>
        <translation>Список оновлюється автоматично; «Оновити» читає його з Teller Hub ще раз</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="277"/>
        <source>Reading approvals</source>
        <translation>Читання запитів на погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="290"/>
        <source>Reading alerts</source>
        <translation>Читання сповіщень</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="296"/>
        <source>Live</source>
        <translation>Оновлюється автоматично</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="297"/>
        <source>Reconnecting to the Teller Hub…</source>
        <translation>Повторне підключення до Teller Hub…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox.py" line="328"/>
        <source>Reading a new request</source>
        <translation>Читання нового запиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_lookups.py" line="51"/>
        <location filename="../../teller_app/ui/approvals_inbox_lookups.py" line="61"/>
        <source>Looking up names</source>
        <translation>Пошук імен</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="64"/>
        <source>%1: another customer has the same phone number: %2</source>
        <translation>%1: такий самий номер телефону має інший клієнт: %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="67"/>
        <source>%1: another customer has the same phone number</source>
        <translation>%1: такий самий номер телефону має інший клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="71"/>
        <source>%1: %2 (no approved request)</source>
        <translation>%1: %2 (без погодженого запиту)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="197"/>
        <source>Customer alerts</source>
        <translation>Сповіщення щодо клієнтів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="199"/>
        <source>More open alerts are waiting on the Teller Hub than are shown here: only the newest are listed.</source>
        <translation>На Teller Hub чекає більше відкритих сповіщень, ніж показано тут: у списку лише найновіші.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="203"/>
        <source>Alert co&amp;mment:</source>
        <translation>Коментар &amp;до сповіщення:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="205"/>
        <source>What was done about it (optional)</source>
        <translation>Що з ним зроблено (необов’язково)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="207"/>
        <source>Ac&amp;knowledge</source>
        <translation>Прийняти до відом&amp;а</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts.py" line="208"/>
        <source>Mark the selected alert as dealt with on the Teller Hub</source>
        <translation>Позначити вибране сповіщення на Teller Hub як розглянуте</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_decide.py" line="188"/>
        <source>A rejection needs a comment.</source>
        <translation>Для відхилення потрібен коментар.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="34"/>
        <source>The request differs from what was shown: refused, nothing was changed. Look again.</source>
        <translation>Запит відрізняється від показаного: відмовлено, нічого не змінено. Перегляньте ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="44"/>
        <source>Four-eyes approval needs the Teller Hub.</source>
        <translation>Для погодження «чотири ока» потрібен Teller Hub.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="63"/>
        <source>Approved, but the platform refused the change: %1</source>
        <translation>Погоджено, але платформа відхилила зміну: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_drift.py" line="70"/>
        <source>%1: at filing %2 → wanted %3, now %4</source>
        <translation>%1: під час подання %2 → запитано %3, зараз %4</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_drift.py" line="74"/>
        <source>%1: at filing %2, now %3</source>
        <translation>%1: під час подання %2, зараз %3</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_drift.py" line="95"/>
        <source>Changed by someone else since it was filed: %1. Approving it applies nothing: the request ends not applied.</source>
        <translation>Після подання це змінив хтось інший: %1. Погодження нічого не застосує: запит завершиться як незастосований.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_drift.py" line="114"/>
        <source>%1: was %2, now %3</source>
        <translation>%1: було %2, зараз %3</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_drift.py" line="119"/>
        <source>Not applied: someone else changed the customer after the request was filed. Nothing was written; file the request again if it is still needed.</source>
        <translation>Не застосовано: після подання запиту клієнта змінив хтось інший. Нічого не записано; подайте запит знову, якщо він ще потрібен.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_drift.py" line="122"/>
        <source>Not applied: someone else changed the customer after the request was filed (%1). Nothing was written; file the request again if it is still needed.</source>
        <translation>Не застосовано: після подання запиту клієнта змінив хтось інший (%1). Нічого не записано; подайте запит знову, якщо він ще потрібен.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_drift.py" line="135"/>
        <source>Not applied: another customer already has this phone number (the bank&apos;s rule: one customer per phone number). Nothing was written.</source>
        <translation>Не застосовано: цей номер телефону вже має інший клієнт (правило банку: один клієнт на номер телефону). Нічого не записано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_drift.py" line="138"/>
        <source>Not applied: customer %1 already has this phone number (the bank&apos;s rule: one customer per phone number). Nothing was written.</source>
        <translation>Не застосовано: цей номер телефону вже має клієнт %1 (правило банку: один клієнт на номер телефону). Нічого не записано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts_ack.py" line="71"/>
        <source>The alert was acknowledged.</source>
        <translation>Сповіщення прийнято до відома.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts_ack.py" line="76"/>
        <source>Another supervisor has already acknowledged this alert, or it is no longer your branch&apos;s: it was taken off the list.</source>
        <translation>Інший контролер уже прийняв це сповіщення до відома, або воно більше не стосується вашого відділення: його прибрано зі списку.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts_ack.py" line="80"/>
        <source>The alert was not acknowledged (it stays listed and your comment is kept): %1</source>
        <translation>Сповіщення не прийнято до відома (воно лишається у списку, ваш коментар збережено): %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_alerts_ack.py" line="87"/>
        <source>Acknowledging an alert</source>
        <translation>Прийняття сповіщення до відома</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_jump.py" line="55"/>
        <source>Show request %1</source>
        <translation>Показати запит %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_inbox_jump.py" line="56"/>
        <source>Select the request that holds this customer in the list</source>
        <translation>Виділити у списку запит, що тримає цього клієнта</translation>
    </message>
</context>
<context>
    <name>ApproveInPlaceDialog</name>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="46"/>
        <source>Supervisor approval</source>
        <translation>Погодження контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="51"/>
        <source>supervisor&apos;s e-mail</source>
        <translation>e-mail контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="155"/>
        <source>Comment</source>
        <translation>Коментар</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="149"/>
        <source>Enter the supervisor&apos;s e-mail and password.</source>
        <translation>Введіть e-mail і пароль контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="61"/>
        <source>&amp;Approve</source>
        <translation>&amp;Погодити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="62"/>
        <source>&amp;Reject</source>
        <translation>Від&amp;хилити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="75"/>
        <source>&amp;E-mail</source>
        <translation>&amp;E-mail</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="76"/>
        <source>&amp;Password</source>
        <translation>Па&amp;роль</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="77"/>
        <source>Co&amp;mment</source>
        <translation>&amp;Коментар</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approve_in_place_dialog.py" line="153"/>
        <source>A rejection needs a comment.</source>
        <translation>Для відхилення потрібен коментар.</translation>
    </message>
</context>
<context>
    <name>AuditActions</name>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="37"/>
        <source>Signed in</source>
        <translation>Вхід</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="38"/>
        <source>Signed out</source>
        <translation>Вихід</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="39"/>
        <source>Locked</source>
        <translation>Заблоковано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="40"/>
        <source>Unlocked</source>
        <translation>Розблоковано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="41"/>
        <source>Created</source>
        <translation>Створено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="42"/>
        <source>Edited</source>
        <translation>Змінено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="43"/>
        <source>Change requested</source>
        <translation>Запит на зміну</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="44"/>
        <source>Decision</source>
        <translation>Рішення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="45"/>
        <source>Executed</source>
        <translation>Виконано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="46"/>
        <source>Alert</source>
        <translation>Сповіщення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="47"/>
        <source>Policy changed</source>
        <translation>Політику змінено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="48"/>
        <source>Cash</source>
        <translation>Касові операції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="49"/>
        <source>Till</source>
        <translation>Каса</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="50"/>
        <source>Other</source>
        <translation>Інше</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="52"/>
        <source>Sign-in refused</source>
        <translation>Вхід відхилено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="53"/>
        <source>Sign-in throttled</source>
        <translation>Вхід тимчасово обмежено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="54"/>
        <source>Request refused</source>
        <translation>Запит не прийнято</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="55"/>
        <source>Decision refused</source>
        <translation>Відмовлено в ухваленні рішення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="56"/>
        <source>Sent to the platform</source>
        <translation>Надіслано на платформу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="57"/>
        <source>Employee added</source>
        <translation>Працівника додано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="58"/>
        <source>Employee disabled</source>
        <translation>Працівника вимкнено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="59"/>
        <source>Employee enabled</source>
        <translation>Працівника увімкнено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="60"/>
        <source>Password reset</source>
        <translation>Пароль скинуто</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="61"/>
        <source>Customer secret issued</source>
        <translation>Видано секрет клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="62"/>
        <source>Customer secret refused</source>
        <translation>Відмовлено у видачі секрету клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="63"/>
        <source>Customer secrets imported</source>
        <translation>Секрети клієнтів імпортовано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="67"/>
        <source>Request approved</source>
        <translation>Запит погоджено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="68"/>
        <source>Request rejected</source>
        <translation>Запит відхилено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="78"/>
        <source>Desk&apos;s record: request approved</source>
        <translation>Запис робочого місця: запит погоджено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="79"/>
        <source>Desk&apos;s record: request rejected</source>
        <translation>Запис робочого місця: запит відхилено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="80"/>
        <source>Desk&apos;s record: request decided</source>
        <translation>Запис робочого місця: рішення щодо запиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="81"/>
        <location filename="../../teller_app/ui/audit_entry.py" line="82"/>
        <source>Desk&apos;s record: change requested</source>
        <translation>Запис робочого місця: подано запит на зміну</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="83"/>
        <source>Desk&apos;s record: request withdrawn</source>
        <translation>Запис робочого місця: запит відкликано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="84"/>
        <source>Desk&apos;s record: request executed</source>
        <translation>Запис робочого місця: запит виконано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="91"/>
        <source>Request approved or rejected</source>
        <translation>Запит погоджено чи відхилено</translation>
    </message>
</context>
<context>
    <name>AuditDetails</name>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="12"/>
        <source>Event</source>
        <translation>Подія</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="13"/>
        <source>Operation</source>
        <translation>Операція</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="14"/>
        <source>Change</source>
        <translation>Зміна</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="15"/>
        <source>Decision</source>
        <translation>Рішення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="16"/>
        <source>State</source>
        <translation>Стан</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="17"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="18"/>
        <source>Fields</source>
        <translation>Поля</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="19"/>
        <source>Disabled</source>
        <translation>Вимкнений</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="20"/>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="21"/>
        <source>Why a supervisor</source>
        <translation>Чому потрібен контролер</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="22"/>
        <source>Comment</source>
        <translation>Коментар</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="23"/>
        <source>With a comment</source>
        <translation>З коментарем</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="24"/>
        <source>Result</source>
        <translation>Результат</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="25"/>
        <source>Maker</source>
        <translation>Ініціатор</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="26"/>
        <source>By</source>
        <translation>Хто</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="27"/>
        <source>Draft of</source>
        <translation>Власник чернетки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="28"/>
        <source>Confirmed by</source>
        <translation>Підтвердив</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="29"/>
        <source>At the desk of (employee)</source>
        <translation>На робочому місці (працівник)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="30"/>
        <source>Switched to (employee)</source>
        <translation>Передано працівнику</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="31"/>
        <source>Previous employee</source>
        <translation>Попередній працівник</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="32"/>
        <source>Till</source>
        <translation>Каса</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="33"/>
        <source>Opening cash</source>
        <translation>Залишок на відкритті</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="34"/>
        <source>Last closing cash</source>
        <translation>Залишок на останньому закритті</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="35"/>
        <source>Till of the last close</source>
        <translation>Каса останнього закриття</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="36"/>
        <source>Count</source>
        <translation>Перерахунок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="37"/>
        <source>Co-signed</source>
        <translation>Підписано контролером</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="38"/>
        <source>Expected cash</source>
        <translation>Очікувана готівка</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="39"/>
        <source>Counted cash</source>
        <translation>Готівка за перерахунком</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="40"/>
        <source>Over/short</source>
        <translation>Надлишок/нестача</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="41"/>
        <source>Vault count</source>
        <translation>Перерахунок сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="42"/>
        <source>Direction</source>
        <translation>Напрям</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="44"/>
        <source>Entry the hub refused</source>
        <translation>Запис, який відхилив Teller Hub</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="45"/>
        <source>Customer&apos;s status</source>
        <translation>Статус клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="46"/>
        <source>Asked through</source>
        <translation>Запит через</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="47"/>
        <source>Authorized by</source>
        <translation>Дозволив</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="48"/>
        <source>Approved</source>
        <translation>Погоджено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="49"/>
        <source>Withdrawn</source>
        <translation>Відкликано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="50"/>
        <source>Acknowledged</source>
        <translation>Прийнято до відома</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="51"/>
        <source>Settled by reading the payment</source>
        <translation>Звірено за станом платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="52"/>
        <source>Payment</source>
        <translation>Платіж</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="53"/>
        <location filename="../../teller_app/ui/audit_codes.py" line="54"/>
        <source>Request</source>
        <translation>Запит</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="55"/>
        <source>Transfer</source>
        <translation>Передача</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="56"/>
        <source>Alert</source>
        <translation>Сповіщення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="57"/>
        <source>Stellar transaction</source>
        <translation>Транзакція Stellar</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="58"/>
        <source>Change hash (SHA-256)</source>
        <translation>Хеш зміни (SHA-256)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="60"/>
        <source>Refused because</source>
        <translation>Причина відмови</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="61"/>
        <source>Attempted</source>
        <translation>Спроба</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="62"/>
        <source>Hub&apos;s answer (HTTP)</source>
        <translation>Відповідь хаба (HTTP)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="63"/>
        <source>Signed in with</source>
        <translation>Спосіб входу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="64"/>
        <source>Employee list</source>
        <translation>Список працівників</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="65"/>
        <source>Sent from (IP address)</source>
        <translation>Надіслано з (IP-адреса)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="66"/>
        <source>Recorded one by one (per minute)</source>
        <translation>Записано поодинці (за хвилину)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="68"/>
        <source>HTTP method</source>
        <translation>Метод HTTP</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="69"/>
        <source>Acts on</source>
        <translation>Об’єкт дії</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="70"/>
        <source>Body hash (SHA-256)</source>
        <translation>Хеш тіла запиту (SHA-256)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="71"/>
        <source>Platform&apos;s answer (HTTP)</source>
        <translation>Відповідь платформи (HTTP)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="72"/>
        <source>Error</source>
        <translation>Помилка</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="73"/>
        <source>Resumed after an interruption</source>
        <translation>Продовжено після переривання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="74"/>
        <source>Approved by</source>
        <translation>Погодив</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="75"/>
        <source>Employee</source>
        <translation>Працівник</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="76"/>
        <source>Roles</source>
        <translation>Ролі</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="77"/>
        <source>Head office</source>
        <translation>Головний офіс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="78"/>
        <source>Sessions ended</source>
        <translation>Завершено сеансів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="79"/>
        <source>External id</source>
        <translation>Зовнішній ідентифікатор</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="80"/>
        <source>Created</source>
        <translation>Створено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="81"/>
        <source>Already there</source>
        <translation>Вже були</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="82"/>
        <source>Items</source>
        <translation>Записів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="83"/>
        <source>Desk</source>
        <translation>Робоче місце</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="84"/>
        <source>Desk time (Kyiv)</source>
        <translation>Час на робочому місці (Київ)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="85"/>
        <source>Shortened to fit</source>
        <translation>Скорочено, щоб вмістилося</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="91"/>
        <source>signed in</source>
        <translation>вхід у систему</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="92"/>
        <source>signed out</source>
        <translation>вихід із системи</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="93"/>
        <source>another employee took the desk</source>
        <translation>робоче місце перейшло до іншого працівника</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="94"/>
        <source>customer created</source>
        <translation>клієнта створено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="95"/>
        <source>customer edited</source>
        <translation>дані клієнта змінено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="96"/>
        <source>change requested</source>
        <translation>подано запит на зміну</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="97"/>
        <source>request approved</source>
        <translation>запит погоджено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="98"/>
        <source>request rejected</source>
        <translation>запит відхилено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="99"/>
        <source>request withdrawn</source>
        <translation>запит відкликано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="100"/>
        <source>request executed</source>
        <translation>запит виконано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="101"/>
        <source>cash draft created</source>
        <translation>створено чернетку касової операції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="102"/>
        <source>cash confirmed</source>
        <translation>касову операцію підтверджено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="103"/>
        <source>account opened</source>
        <translation>рахунок відкрито</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="104"/>
        <source>cash refused by the hub</source>
        <translation>Teller Hub відмовив у готівковій операції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="108"/>
        <source>customer change</source>
        <translation>зміна даних клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="109"/>
        <source>cash confirmation</source>
        <translation>підтвердження касової операції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="110"/>
        <source>voided by the teller</source>
        <translation>анульовано операціоністом</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="111"/>
        <source>rejected by a supervisor</source>
        <translation>відхилено контролером</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="113"/>
        <source>new customer</source>
        <translation>новий клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="114"/>
        <source>new account</source>
        <translation>новий рахунок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="115"/>
        <location filename="../../teller_app/ui/audit_codes.py" line="116"/>
        <source>new payment</source>
        <translation>новий платіж</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="117"/>
        <location filename="../../teller_app/ui/audit_codes.py" line="118"/>
        <source>payment confirmation</source>
        <translation>підтвердження платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="119"/>
        <source>customer limits</source>
        <translation>ліміти клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="120"/>
        <source>a customer&apos;s secret</source>
        <translation>секрет клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="121"/>
        <source>the bank&apos;s secret (keykeeper)</source>
        <translation>секрет банку (keykeeper)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="125"/>
        <source>wrong password</source>
        <translation>неправильний пароль</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="126"/>
        <source>no such employee</source>
        <translation>немає такого працівника</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="127"/>
        <source>the employee is disabled</source>
        <translation>працівника вимкнено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="128"/>
        <source>the platform refused the session</source>
        <translation>платформа відхилила сеанс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="129"/>
        <source>not a supervisor</source>
        <translation>не контролер</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="130"/>
        <source>another branch&apos;s request</source>
        <translation>запит іншого відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="131"/>
        <source>a request they may not see</source>
        <translation>запит, який йому не можна бачити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="132"/>
        <source>their own request (four eyes)</source>
        <translation>власний запит (принцип чотирьох очей)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="133"/>
        <source>already decided</source>
        <translation>рішення вже ухвалено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="134"/>
        <source>another approved change to this customer was still being applied</source>
        <translation>інша схвалена зміна цього клієнта ще застосовувалася</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="136"/>
        <source>another customer has this phone number</source>
        <translation>цей номер телефону вже має інший клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="137"/>
        <source>too many phone number checks in a minute (refused for the minute)</source>
        <translation>забагато перевірок номерів телефону за хвилину (відмовлено до кінця хвилини)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="139"/>
        <source>another desk was creating a customer with this login</source>
        <translation>інше робоче місце створювало клієнта з цим логіном</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="141"/>
        <source>differs from what they were shown</source>
        <translation>відрізняється від показаного</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="142"/>
        <source>not their own valid platform session</source>
        <translation>не власний чинний сеанс платформи</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="143"/>
        <source>the cash draft was voided</source>
        <translation>чернетку касової операції анульовано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="144"/>
        <source>the cash draft was never authorized</source>
        <translation>чернетку касової операції не було дозволено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="145"/>
        <source>their own cash (four eyes)</source>
        <translation>власна касова операція (принцип чотирьох очей)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="146"/>
        <source>the amount differs</source>
        <translation>сума відрізняється</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="147"/>
        <source>the customer&apos;s status stops cash (blocked, closed)</source>
        <translation>статус клієнта не дозволяє касових операцій (заблокований, закритий)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="149"/>
        <source>too many failed sign-ins this minute: the rest are only in the hub&apos;s log</source>
        <translation>забагато невдалих входів за цю хвилину: решта лише в журналі хаба</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="155"/>
        <source>approve</source>
        <translation>погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="156"/>
        <source>reject</source>
        <translation>відхилення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="157"/>
        <source>resume</source>
        <translation>продовження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="158"/>
        <source>filing a request</source>
        <translation>подання запиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="159"/>
        <source>checking before a save</source>
        <translation>перевірка перед збереженням</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="160"/>
        <source>hub password</source>
        <translation>пароль хаба</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="161"/>
        <source>platform session</source>
        <translation>сеанс платформи</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="162"/>
        <source>Teller Hub</source>
        <translation>Teller Hub</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="163"/>
        <source>the platform</source>
        <translation>платформа</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="164"/>
        <source>no answer in time (may have landed)</source>
        <translation>немає відповіді вчасно (могло бути виконано)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="165"/>
        <source>the platform could not be reached</source>
        <translation>платформа недоступна</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="169"/>
        <source>waiting for approval</source>
        <translation>очікує погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="170"/>
        <source>approved and applied</source>
        <translation>погоджено й застосовано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="171"/>
        <source>approved, the platform refused it</source>
        <translation>погоджено, але платформа відхилила</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="175"/>
        <source>surname</source>
        <translation>прізвище</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="176"/>
        <source>name</source>
        <translation>ім’я</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="177"/>
        <source>paternal name</source>
        <translation>по батькові</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="178"/>
        <source>phone</source>
        <translation>телефон</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="179"/>
        <source>status</source>
        <translation>статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="180"/>
        <source>segment</source>
        <translation>сегмент</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="181"/>
        <source>KYC level</source>
        <translation>рівень KYC</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="182"/>
        <source>disabled</source>
        <translation>вимкнений</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="183"/>
        <source>allowed balance</source>
        <translation>дозволений баланс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="184"/>
        <source>allowed balance currency</source>
        <translation>валюта дозволеного балансу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="185"/>
        <source>branch</source>
        <translation>відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="186"/>
        <source>amount</source>
        <translation>сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="188"/>
        <source>customer with the same phone number</source>
        <translation>клієнт із таким самим номером телефону</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="194"/>
        <source>another customer has the same phone number</source>
        <translation>такий самий номер телефону має інший клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_codes.py" line="196"/>
        <source>a status that needs approval</source>
        <translation>статус, що потребує погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_details.py" line="58"/>
        <source>yes</source>
        <translation>так</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_details.py" line="59"/>
        <source>no</source>
        <translation>ні</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/money.py" line="93"/>
        <source>no limit</source>
        <translation>без ліміту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="25"/>
        <source>applied</source>
        <translation>застосовано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="26"/>
        <source>applied (found on the platform after it did not answer)</source>
        <translation>застосовано (знайдено на платформі після того, як вона не відповіла)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="28"/>
        <source>applied (it was already on the platform)</source>
        <translation>застосовано (це вже було на платформі)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="30"/>
        <source>applied (the platform confirmed it after a late answer)</source>
        <translation>застосовано (платформа підтвердила після запізнілої відповіді)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="32"/>
        <source>applied (found on the platform when resuming)</source>
        <translation>застосовано (знайдено на платформі під час продовження)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="34"/>
        <source>not executed: the stored change was altered after it was filed</source>
        <translation>не виконано: збережену зміну змінено після подання запиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="36"/>
        <source>not applied: the platform failed the payment after a lost answer</source>
        <translation>не застосовано: платіж на платформі завершився невдало після втраченої відповіді</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="39"/>
        <source>interrupted before it was executed, not applied yet: an approver must resume it</source>
        <translation>перервано до виконання, ще не застосовано: той, хто погоджує, має продовжити виконання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="52"/>
        <source>no answer in time</source>
        <translation>немає відповіді вчасно</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="66"/>
        <source>not executed: %1</source>
        <translation>не виконано: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="68"/>
        <source>not applied: the platform could not be reached (%1)</source>
        <translation>не застосовано: платформа була недоступна (%1)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="72"/>
        <source>not applied: the platform did not confirm the payment within %1 s of the lost answer</source>
        <translation>не застосовано: платформа не підтвердила платіж протягом %1 с після втраченої відповіді</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="75"/>
        <source>not applied: the stored settings (%1) are not valid</source>
        <translation>не застосовано: збережені налаштування (%1) недійсні</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="79"/>
        <source>not applied: the settings (%1) changed after this request was filed: file it again</source>
        <translation>не застосовано: налаштування (%1) змінилися після подання запиту; подайте його знову</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="82"/>
        <source>interrupted: the platform cannot be read (%1)</source>
        <translation>перервано: дані платформи не вдається прочитати (%1)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="84"/>
        <source>not known yet (%1): the platform is read until it settles</source>
        <translation>ще невідомо (%1): платформу перевіряють, доки це не з’ясується</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_request_text.py" line="88"/>
        <source>the platform did not answer the confirm: %1</source>
        <translation>платформа не відповіла на підтвердження: %1</translation>
    </message>
</context>
<context>
    <name>AuditEntity</name>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="22"/>
        <source>Customer %1</source>
        <translation>Клієнт %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="23"/>
        <source>Request %1</source>
        <translation>Запит %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="24"/>
        <source>Payment %1</source>
        <translation>Платіж %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="25"/>
        <source>Till %1</source>
        <translation>Каса %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="26"/>
        <source>Branch vault %1</source>
        <translation>Сховище відділення %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="27"/>
        <source>Alert %1</source>
        <translation>Сповіщення %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="28"/>
        <source>Employee %1</source>
        <translation>Працівник %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="29"/>
        <source>Computer at %1</source>
        <translation>Комп’ютер з адресою %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="30"/>
        <source>Platform: %1</source>
        <translation>Платформа: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="34"/>
        <source>Customer secrets</source>
        <translation>Секрети клієнтів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entity.py" line="35"/>
        <source>The hub&apos;s master key</source>
        <translation>Головний ключ Teller Hub</translation>
    </message>
</context>
<context>
    <name>AuditEntryDialog</name>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="204"/>
        <source>Audit entry %1</source>
        <translation>Запис аудиту %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="206"/>
        <source>When (Kyiv)</source>
        <translation>Час (Київ)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="207"/>
        <source>Employee</source>
        <translation>Працівник</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="208"/>
        <source>Action</source>
        <translation>Дія</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="209"/>
        <source>Entity</source>
        <translation>Об’єкт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="210"/>
        <source>Entity ID</source>
        <translation>Ідентифікатор об’єкта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="211"/>
        <source>Customer</source>
        <translation>Клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_entry.py" line="219"/>
        <source>&amp;Details</source>
        <translation>&amp;Подробиці</translation>
    </message>
</context>
<context>
    <name>AuditTableModel</name>
    <message>
        <location filename="../../teller_app/ui/audit_model.py" line="43"/>
        <source>#</source>
        <translation>№</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_model.py" line="43"/>
        <source>Action</source>
        <translation>Дія</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_model.py" line="43"/>
        <source>Employee</source>
        <translation>Працівник</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_model.py" line="44"/>
        <source>Customer</source>
        <translation>Клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_model.py" line="44"/>
        <source>Details</source>
        <translation>Подробиці</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_model.py" line="43"/>
        <source>When (Kyiv)</source>
        <translation>Час (Київ)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_pages.py" line="109"/>
        <source>Time (ISO 8601)</source>
        <translation>Час (ISO 8601)</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="180"/>
        <source>All actions</source>
        <translation>Усі дії</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="189"/>
        <source>Refresh</source>
        <translation>Оновити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="190"/>
        <source>Verify chain</source>
        <translation>Перевірити ланцюжок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="191"/>
        <source>Export CSV…</source>
        <translation>Експорт у CSV…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="263"/>
        <source>Reading the audit trail</source>
        <translation>Читання журналу аудиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="291"/>
        <source>Reading older audit entries</source>
        <translation>Читання давніших записів журналу аудиту</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/audit_view.py" line="308"/>
        <source>%n entries shown; older entries load as you scroll down</source>
        <translation>
            <numerusform>Показано %n запис; давніші завантажуються, коли гортаєте вниз</numerusform>
            <numerusform>Показано %n записи; давніші завантажуються, коли гортаєте вниз</numerusform>
            <numerusform>Показано %n записів; давніші завантажуються, коли гортаєте вниз</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/audit_view.py" line="348"/>
        <source>Chain intact: %n entries.</source>
        <translation>
            <numerusform>Ланцюжок цілісний: %n запис.</numerusform>
            <numerusform>Ланцюжок цілісний: %n записи.</numerusform>
            <numerusform>Ланцюжок цілісний: %n записів.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="351"/>
        <source>Chain broken at entry %1: %2</source>
        <translation>Ланцюжок порушено на записі %1: %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="357"/>
        <source>Verifying the audit trail</source>
        <translation>Перевірка журналу аудиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="361"/>
        <source>Export audit trail</source>
        <translation>Експорт журналу аудиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="362"/>
        <source>CSV files (*.csv)</source>
        <translation>Файли CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="381"/>
        <source>Exporting</source>
        <translation>Експорт</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/audit_view.py" line="385"/>
        <source>Exported %n entries to %1</source>
        <translation>
            <numerusform>Експортовано %n запис у файл %1</numerusform>
            <numerusform>Експортовано %n записи у файл %1</numerusform>
            <numerusform>Експортовано %n записів у файл %1</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="391"/>
        <source>Nothing was exported: %1</source>
        <translation>Нічого не експортовано: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="179"/>
        <source>All branches</source>
        <translation>Усі відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="183"/>
        <source>Employee e-mail</source>
        <translation>E-mail працівника</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="184"/>
        <source>&amp;Employee:</source>
        <translation>Пра&amp;цівник:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="185"/>
        <source>Fro&amp;m</source>
        <translation>По&amp;чаток</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="186"/>
        <source>t&amp;o</source>
        <translation>Кі&amp;нець</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="187"/>
        <source>Audit entries</source>
        <translation>Записи журналу аудиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="239"/>
        <source>The audit trail is on the Teller Hub, which is not configured.</source>
        <translation>Журнал аудиту зберігається на Teller Hub, який не налаштовано.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/audit_view.py" line="305"/>
        <source>%n entries</source>
        <translation>
            <numerusform>%n запис</numerusform>
            <numerusform>%n записи</numerusform>
            <numerusform>%n записів</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/audit_view.py" line="339"/>
        <source>Looking up names</source>
        <translation>Пошук імен</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <location filename="../../teller_app/ui/banner.py" line="52"/>
        <location filename="../../teller_app/ui/banner.py" line="53"/>
        <source>Dismiss</source>
        <translation>Закрити</translation>
    </message>
</context>
<context>
    <name>BranchCashView</name>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="64"/>
        <source>Branch cash position</source>
        <translation>Касова позиція відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="86"/>
        <source>Till</source>
        <translation>Каса</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="86"/>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="106"/>
        <source>Teller</source>
        <translation>Операціоніст</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="87"/>
        <source>State</source>
        <translation>Стан</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="87"/>
        <source>Expected cash</source>
        <translation>Очікувана готівка</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="106"/>
        <source>Direction</source>
        <translation>Напрям</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="107"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="184"/>
        <source>Holds %1: short by %2.</source>
        <translation>У сховищі %1: бракує %2.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="187"/>
        <source>Approval refused.</source>
        <translation>Погодження не прийнято.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="189"/>
        <source>Rejection refused.</source>
        <translation>Відхилення не прийнято.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="197"/>
        <source>The vault holds %1, so this transfer of %2 to the till is short by %3. The Teller Hub refuses to approve it until the vault holds enough (cash returned to the vault, or a vault count); you may reject it.</source>
        <translation>У сховищі %1, тож для цієї передачі на суму %2 до каси бракує %3. Teller Hub не погодить її, доки у сховищі не буде достатньо готівки (готівку повернуто до сховища або перераховано сховище); ви можете її відхилити.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="266"/>
        <source>The Teller Hub refused it. %1</source>
        <translation>Teller Hub відмовив. %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="95"/>
        <source>Counted by</source>
        <translation>Перерахував</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="95"/>
        <source>Counted</source>
        <translation>Сума перерахунку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="96"/>
        <source>Book balance</source>
        <translation>Залишок за обліком</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="96"/>
        <source>Difference</source>
        <translation>Різниця</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="97"/>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="104"/>
        <source>Co-sign the &amp;opening count</source>
        <translation>Підписати перерахунок на &amp;відкритті</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="105"/>
        <source>Co-sign the c&amp;lose</source>
        <translation>Підписати &amp;закриття</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="106"/>
        <source>Co-sign the &amp;vault count</source>
        <translation>Підписати перерахунок с&amp;ховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="108"/>
        <source>&amp;Approve the transfer</source>
        <translation>&amp;Погодити передачу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="110"/>
        <source>Re&amp;ject the transfer</source>
        <translation>Відх&amp;илити передачу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="111"/>
        <source>Cou&amp;nt the vault…</source>
        <translation>Пере&amp;рахувати сховище…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="114"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Оновити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="141"/>
        <source>&amp;Tills</source>
        <translation>Ка&amp;си</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="143"/>
        <source>Tran&amp;sfers waiting</source>
        <translation>Пере&amp;дачі, що очікують</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="145"/>
        <source>Vault counts &amp;waiting</source>
        <translation>Перерахунки сховища, що о&amp;чікують</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="133"/>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="107"/>
        <source>Vault</source>
        <translation>Сховище</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="118"/>
        <source>Don&amp;e</source>
        <translation>&amp;Готово</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="134"/>
        <source>In closed tills</source>
        <translation>У закритих касах</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="135"/>
        <source>Branch total</source>
        <translation>Разом у відділенні</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="241"/>
        <source>Reading the position</source>
        <translation>Читання касової позиції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="158"/>
        <source>vault → till</source>
        <translation>сховище → каса</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="160"/>
        <source>till → vault</source>
        <translation>каса → сховище</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="345"/>
        <source>Select a till waiting for a co-sign.</source>
        <translation>Виберіть касу, що очікує підпису контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="348"/>
        <location filename="../../teller_app/ui/till_position.py" line="360"/>
        <location filename="../../teller_app/ui/till_position.py" line="374"/>
        <source>Co-signing</source>
        <translation>Підписання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="355"/>
        <source>Select a till whose close waits for a co-sign.</source>
        <translation>Виберіть касу, закриття якої очікує підпису контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position.py" line="371"/>
        <source>Select a vault count.</source>
        <translation>Виберіть перерахунок сховища.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="222"/>
        <source>Select a transfer.</source>
        <translation>Виберіть передачу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_position_transfers.py" line="248"/>
        <source>Deciding the transfer</source>
        <translation>Рішення щодо передачі</translation>
    </message>
</context>
<context>
    <name>CashApprovalFlow</name>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="75"/>
        <source>Sent to a supervisor for approval. This window updates by itself when they decide; a supervisor may also decide here.</source>
        <translation>Надіслано контролеру на погодження. Це вікно оновиться саме, щойно він вирішить; контролер може вирішити й тут.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="87"/>
        <source>Asking a supervisor</source>
        <translation>Запит до контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="95"/>
        <source>Approved by a supervisor; the platform is confirming…</source>
        <translation>Погоджено контролером; платформа підтверджує…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="112"/>
        <source>Reading the supervisor&apos;s decision</source>
        <translation>Читання рішення контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="119"/>
        <source>A supervisor rejected it: the draft is voided and is never confirmed.</source>
        <translation>Контролер відхилив: чернетку анульовано, її ніколи не буде підтверджено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="122"/>
        <source>Their comment: %1</source>
        <translation>Коментар контролера: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="125"/>
        <source>The request was withdrawn.</source>
        <translation>Запит відкликано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="133"/>
        <source>Approved, but the platform refused the confirm: %1</source>
        <translation>Погоджено, але платформа відмовила в підтвердженні: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="150"/>
        <source>Approved, but it is not known yet whether the platform confirmed it (its status could not be read, or is one this desk does not know). Check the payment before you void it or make a new one.</source>
        <translation>Схвалено, але ще невідомо, чи платформа його підтвердила (його стан не вдалося прочитати або цей стан невідомий цьому робочому місцю). Перевірте платіж, перш ніж анулювати його чи створювати новий.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="156"/>
        <source>Reading the payment</source>
        <translation>Читання платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="171"/>
        <source>Reading the confirmed payment</source>
        <translation>Читання підтвердженого платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="192"/>
        <source>Approved by a supervisor. The platform has not answered the confirm yet; this window updates by itself when it is settled.</source>
        <translation>Погоджено контролером. Платформа ще не відповіла на підтвердження; це вікно оновиться саме, щойно все з’ясується.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_approval_flow.py" line="202"/>
        <source>Supervisor deciding</source>
        <translation>Надсилання рішення контролера</translation>
    </message>
</context>
<context>
    <name>CashDesk</name>
    <message>
        <location filename="../../teller_app/ui/cash_desk.py" line="24"/>
        <source>Demo Bank (sandbox)</source>
        <translation>Демо-банк (пісочниця)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_desk.py" line="32"/>
        <source>Head office</source>
        <translation>Головний офіс</translation>
    </message>
</context>
<context>
    <name>CashDialog</name>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="121"/>
        <source>Cash deposit</source>
        <translation>Внесення готівки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="122"/>
        <source>Cash withdrawal</source>
        <translation>Видача готівки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="146"/>
        <source>Create</source>
        <translation>Створити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="147"/>
        <source>Confirm</source>
        <translation>Підтвердити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="148"/>
        <source>Supervisor confirms here…</source>
        <translation>Контролер підтверджує тут…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="149"/>
        <source>&amp;Receipt…</source>
        <translation>&amp;Квитанція…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="150"/>
        <source>&amp;Void the draft…</source>
        <translation>&amp;Анулювати чернетку…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="152"/>
        <source>Ask a supervisor again</source>
        <translation>Запросити контролера ще раз</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="184"/>
        <source>Customer&apos;s limits</source>
        <translation>Ліміти клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="185"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="189"/>
        <source>Purpose</source>
        <translation>Призначення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="280"/>
        <source>Enter a positive amount with at most %1 decimal places.</source>
        <translation>Введіть додатну суму, у якій не більше %1 знаків після коми.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="30"/>
        <source>Cash above the teller&apos;s limit</source>
        <translation>Готівка понад ліміт операціоніста</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="62"/>
        <source>Payment confirmed.</source>
        <translation>Платіж підтверджено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="63"/>
        <source>Payment status: %1.</source>
        <translation>Статус платежу: %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_create.py" line="64"/>
        <source>Above the teller&apos;s limit: a supervisor confirms it here or from their inbox.</source>
        <translation>Сума перевищує ліміт операціоніста: контролер підтверджує операцію тут або у своїх вхідних запитах.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_create.py" line="83"/>
        <source>The draft was created (payment %1…), but it could not be checked. Press Create again: it checks this same draft and never makes a second one.</source>
        <translation>Чернетку створено (платіж %1…), але перевірити її не вдалося. Натисніть «Створити» ще раз: буде перевірено цю саму чернетку, другої не буде створено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_create.py" line="93"/>
        <source>It is not known whether the draft was created. Press Create again: it finds the draft if it exists and never makes a second one.</source>
        <translation>Невідомо, чи чернетку створено. Натисніть «Створити» ще раз: якщо чернетка існує, її буде знайдено, а другу не буде створено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_create.py" line="107"/>
        <source>Creating the cash operation</source>
        <translation>Створення касової операції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="203"/>
        <source>Confirming</source>
        <translation>Підтвердження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_supervisor.py" line="42"/>
        <source>Cash deposit %1 to %2</source>
        <translation>Внесення готівки %1 на рахунок %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_supervisor.py" line="43"/>
        <source>Cash withdrawal %1 from %2</source>
        <translation>Видача готівки %1 з рахунку %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_supervisor.py" line="143"/>
        <source>Supervisor confirming</source>
        <translation>Підтвердження контролером</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="154"/>
        <source>Check again</source>
        <translation>Перевірити ще раз</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="180"/>
        <source>Customer</source>
        <translation>Клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="181"/>
        <source>Account</source>
        <translation>Рахунок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="182"/>
        <source>Balance</source>
        <translation>Баланс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="187"/>
        <source>Balance after</source>
        <translation>Баланс після операції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="188"/>
        <source>Supervisor needed</source>
        <translation>Потрібен контролер</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="215"/>
        <source>Loading…</source>
        <translation>Завантаження…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="224"/>
        <source>Reading the account and limits</source>
        <translation>Читання рахунку й лімітів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_lines.py" line="29"/>
        <source>%1 — not possible</source>
        <translation>%1 — неможливо</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_lines.py" line="44"/>
        <source>Draft created.</source>
        <translation>Чернетку створено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_lines.py" line="36"/>
        <source>Payment: %1</source>
        <translation>Платіж: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="355"/>
        <source>Checking the policy</source>
        <translation>Перевірка правил</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_result.py" line="92"/>
        <source>The platform&apos;s answer was lost; its status shows the payment went through, so it was not sent again.</source>
        <translation>Відповідь платформи втрачено; за статусом платіж проведено, тому його не надіслано вдруге.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog.py" line="253"/>
        <source>The account may hold at most %1.</source>
        <translation>На рахунку може бути щонайбільше %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="48"/>
        <source>This draft is not confirmed: no money has moved. It stays a draft (grey in the customer&apos;s account history) until it is confirmed or voided; if nobody confirms it, the till close voids it. Close the window?</source>
        <translation>Цю чернетку не підтверджено: гроші не рухалися. Вона лишається чернеткою (сірою в історії рахунку клієнта), доки її не підтвердять або не анулюють; якщо ніхто її не підтвердить, закриття каси її анулює. Закрити вікно?</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="53"/>
        <source>This draft is not confirmed: no money has moved. It stays a draft (grey in the customer&apos;s account history) until it is confirmed or voided. Close the window?</source>
        <translation>Цю чернетку не підтверджено: гроші не рухалися. Вона лишається чернеткою (сірою в історії рахунку клієнта), доки її не підтвердять або не анулюють. Закрити вікно?</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="58"/>
        <source>It is not known yet whether this payment went through: the platform may still confirm it. The customer&apos;s account history shows its status (a grey draft, or confirmed): check it there before you make a new one or hand cash back or over. Close the window?</source>
        <translation>Ще невідомо, чи пройшов цей платіж: платформа ще може його підтвердити. Його стан видно в історії рахунку клієнта (сіра чернетка або підтверджений): перевірте там, перш ніж створювати новий чи повертати або видавати готівку. Закрити вікно?</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="65"/>
        <source>Keep working</source>
        <translation>Продовжити роботу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="67"/>
        <source>Close</source>
        <translation>Закрити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="103"/>
        <source>Refused: the platform marked the payment as failed. This is final: no money moved and this draft is never confirmed. If the customer still wants the operation, make a new one.</source>
        <translation>Відмовлено: платформа позначила платіж як невдалий. Це остаточно: гроші не рухалися, і цю чернетку вже не буде підтверджено. Якщо клієнт усе ще хоче операцію, створіть нову.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="132"/>
        <source>The request for a supervisor was not sent (or its answer was lost). Press “Ask a supervisor again”: the same request is sent, never a second one.</source>
        <translation>Запит до контролера не надіслано (або відповідь на нього втрачено). Натисніть «Запросити контролера ще раз»: буде надіслано той самий запит, другого не буде.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="161"/>
        <source>Void the draft</source>
        <translation>Анулювання чернетки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="162"/>
        <source>Why is the draft voided? (required)</source>
        <translation>Чому чернетку анулюють? (обов’язково)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="172"/>
        <source>A reason is required to void a draft.</source>
        <translation>Щоб анулювати чернетку, вкажіть причину.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="181"/>
        <source>Voided: this draft is never confirmed.</source>
        <translation>Анульовано: цю чернетку ніколи не буде підтверджено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="192"/>
        <source>Voiding</source>
        <translation>Анулювання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="228"/>
        <source>No answer came in time: it is not known yet whether the payment went through. Its status is being checked. Do not void it or make a new one meanwhile.</source>
        <translation>Відповідь не надійшла вчасно: ще невідомо, чи пройшов платіж. Його статус перевіряється. Тим часом не анулюйте його і не створюйте новий.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="255"/>
        <source>The platform still shows the payment as a draft well after the lost answer: it was most likely not confirmed. Confirm it again (a payment is never confirmed twice) or void it.</source>
        <translation>Платформа й досі показує платіж як чернетку, хоча відповідь втрачено давно: найімовірніше, його не підтверджено. Підтвердьте його ще раз (платіж ніколи не підтверджується двічі) або анулюйте.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="260"/>
        <source>It is still not known whether the payment went through: the platform shows it as a draft so far. Press “Check again” in a moment, or Confirm: a payment is never confirmed twice. Do not void it or make a new one until this is settled.</source>
        <translation>Досі невідомо, чи пройшов платіж: платформа поки показує його як чернетку. Натисніть «Перевірити ще раз» трохи згодом або «Підтвердити»: платіж ніколи не підтверджується двічі. Не анулюйте його і не створюйте новий, доки це не з’ясується.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="269"/>
        <source>Checking the payment</source>
        <translation>Перевірка платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="286"/>
        <source>The platform shows the payment in a status this desk does not know (%1), so it is not known yet whether the payment went through: the account may already be credited or debited. Until this is known, do not hand cash back or pay any out, and do not void the payment or make a new one. Press “Check again” in a moment.</source>
        <translation>Платформа показує платіж у стані, невідомому цьому робочому місцю (%1), тож ще невідомо, чи пройшов платіж: рахунок уже може бути поповнено або списано. Доки це не стане відомо, не повертайте й не видавайте готівку, не анулюйте платіж і не створюйте новий. Натисніть «Перевірити ще раз» за хвилину.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_parts.py" line="293"/>
        <source>The platform cannot be read right now, so it is not known yet whether the payment went through: the account may already be credited or debited. Until this is known, do not hand cash back or pay any out, and do not void the payment or make a new one. Press “Check again” in a moment.</source>
        <translation>Платформа зараз не відповідає, тож ще невідомо, чи пройшов платіж: рахунок уже може бути поповнено або списано. Доки це не стане відомо, не повертайте й не видавайте готівку, не анулюйте платіж і не створюйте новий. Натисніть «Перевірити ще раз» за хвилину.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_result.py" line="96"/>
        <source>The till has not counted it yet: it counts it when it next reads from the Teller Hub.</source>
        <translation>Каса ще не врахувала цю операцію: вона врахує її, коли наступного разу отримає дані з Teller Hub.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_result.py" line="100"/>
        <source>The receipt could not be read yet: press Receipt… to read it.</source>
        <translation>Квитанцію ще не вдалося отримати: натисніть «Квитанція…», щоб отримати її.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_result.py" line="144"/>
        <source>The receipt could not be read: %1 The payment is confirmed; press Receipt… to try again.</source>
        <translation>Не вдалося отримати квитанцію: %1 Платіж підтверджено; натисніть «Квитанція…», щоб спробувати ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_result.py" line="151"/>
        <source>Reading the receipt</source>
        <translation>Читання квитанції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_till.py" line="36"/>
        <source>Open your till first (%1 → %2).</source>
        <translation>Спершу відкрийте касу (%1 → %2).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_till.py" line="47"/>
        <source>Your till is not open yet: a supervisor must co-sign its count.</source>
        <translation>Ваша каса ще не відкрита: контролер має підписати її перерахунок.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_dialog_till.py" line="49"/>
        <source>Your till is not open (%1).</source>
        <translation>Ваша каса не відкрита (%1).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_step_text.py" line="25"/>
        <source>Cash is paid in steps of %1: enter %2.</source>
        <translation>Готівкою сума має бути кратна %1: введіть %2.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_step_text.py" line="28"/>
        <source>Cash is paid in steps of %1: enter %2 or %3.</source>
        <translation>Готівкою сума має бути кратна %1: введіть %2 або %3.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_step_text.py" line="43"/>
        <source>Cash is paid in steps of %1: the Teller Hub refuses an amount no till can count.</source>
        <translation>Готівкою сума має бути кратна %1: Teller Hub не приймає суму, яку жодна каса не може полічити.</translation>
    </message>
</context>
<context>
    <name>CashDraftsPanel</name>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="146"/>
        <source>Cash operations awaiting a supervisor</source>
        <translation>Касові операції, що чекають на контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="130"/>
        <source>Customer</source>
        <translation>Клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="130"/>
        <source>Teller</source>
        <translation>Операціоніст</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="130"/>
        <source>Operation</source>
        <translation>Операція</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="130"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="131"/>
        <source>Created</source>
        <translation>Створено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="132"/>
        <source>Confirm cash operation</source>
        <translation>Підтвердити касову операцію</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="133"/>
        <source>Reject the draft…</source>
        <translation>Відхилити чернетку…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="144"/>
        <source>No cash operations awaiting a supervisor</source>
        <translation>Немає касових операцій, що чекають на контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="239"/>
        <source>Checking cash drafts</source>
        <translation>Перевірка касових чернеток</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="319"/>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="336"/>
        <source>Select a cash draft first.</source>
        <translation>Спершу виберіть касову чернетку.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="324"/>
        <source>Confirmed. Receipt reference: %1</source>
        <translation>Підтверджено. Номер квитанції: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="329"/>
        <source>Confirming</source>
        <translation>Підтвердження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="344"/>
        <source>Reject the draft</source>
        <translation>Відхилення чернетки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="345"/>
        <source>Why is the draft rejected? (required)</source>
        <translation>Чому чернетку відхилено? (обов’язково)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="352"/>
        <source>A rejection needs a comment.</source>
        <translation>Для відхилення потрібен коментар.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="357"/>
        <source>Rejected: the draft is voided.</source>
        <translation>Відхилено: чернетку анульовано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_drafts_panel.py" line="360"/>
        <source>Rejecting</source>
        <translation>Відхилення</translation>
    </message>
</context>
<context>
    <name>CashText</name>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="50"/>
        <source>Confirmed</source>
        <translation>Підтверджено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="52"/>
        <source>Draft, not confirmed</source>
        <translation>Чернетка, не підтверджено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="54"/>
        <source>Failed</source>
        <translation>Не виконано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="55"/>
        <source>Unknown status</source>
        <translation>Невідомий статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="69"/>
        <source>Cash deposit</source>
        <translation>Внесення готівки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="71"/>
        <source>Cash withdrawal</source>
        <translation>Видача готівки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="72"/>
        <source>Payment</source>
        <translation>Платіж</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="78"/>
        <source>cash withdrawal at an ATM</source>
        <translation>зняття готівки в банкоматі</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="80"/>
        <source>cash withdrawal at the bank&apos;s cash desk</source>
        <translation>видача готівки в касі банку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="82"/>
        <source>cash withdrawal at a POS terminal</source>
        <translation>зняття готівки через POS-термінал</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="84"/>
        <source>cash replenishment at the bank&apos;s cash desk</source>
        <translation>поповнення готівкою в касі банку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="86"/>
        <source>payment by requisites</source>
        <translation>платіж за реквізитами</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="88"/>
        <source>payment for e-commerce services (within the bank)</source>
        <translation>оплата послуг електронної комерції (у межах банку)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="90"/>
        <source>payment for e-commerce services (third-party resources)</source>
        <translation>оплата послуг електронної комерції (сторонні ресурси)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="92"/>
        <source>payment at a POS terminal</source>
        <translation>оплата через POS-термінал</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="94"/>
        <source>payment by QR code (DirectPay)</source>
        <translation>оплата за QR-кодом (DirectPay)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="96"/>
        <source>transfer to an account (within the bank)</source>
        <translation>переказ на рахунок (у межах банку)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="98"/>
        <source>transfer to an account (at another bank)</source>
        <translation>переказ на рахунок (в іншому банку)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="100"/>
        <source>transfer from another account (within the bank)</source>
        <translation>переказ з іншого рахунку (у межах банку)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="102"/>
        <source>top-up from another account (third-party bank or resource)</source>
        <translation>поповнення з іншого рахунку (сторонній банк чи ресурс)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="104"/>
        <source>card top-up</source>
        <translation>поповнення картки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="106"/>
        <source>bank commission</source>
        <translation>списання комісії банку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="108"/>
        <source>technical payment (chargebacks and the like)</source>
        <translation>технічний платіж (чарджбеки тощо)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="110"/>
        <source>full refund</source>
        <translation>повне повернення коштів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="112"/>
        <source>partial refund</source>
        <translation>часткове повернення коштів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="126"/>
        <source>per operation</source>
        <translation>на одну операцію</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="127"/>
        <source>per day</source>
        <translation>на день</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="128"/>
        <source>per week</source>
        <translation>на тиждень</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="129"/>
        <source>per month</source>
        <translation>на місяць</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="130"/>
        <source>per year</source>
        <translation>на рік</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="131"/>
        <source>per custom period</source>
        <translation>на власний період</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="142"/>
        <source>No limits set.</source>
        <translation>Ліміти не встановлено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="147"/>
        <source>more than {amount}</source>
        <translation>більше ніж {amount}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="150"/>
        <source>less than {amount}</source>
        <translation>менше ніж {amount}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="152"/>
        <source> and </source>
        <translation> і </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="153"/>
        <source>Per operation: {bounds}</source>
        <translation>На одну операцію: {bounds}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/cash_text.py" line="157"/>
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n день</numerusform>
            <numerusform>%n дні</numerusform>
            <numerusform>%n днів</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="160"/>
        <source>{period}: less than {max} in total; {spent} used, {left} left</source>
        <translation>{period}: разом менше ніж {max}; використано {spent}, лишилося {left}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="165"/>
        <source>Limits apply to the customer&apos;s outgoing payments (withdrawals).</source>
        <translation>Ліміти діють на вихідні платежі клієнта (видачу готівки).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="172"/>
        <source>No: the teller confirms.</source>
        <translation>Ні: підтверджує операціоніст.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="174"/>
        <source>Yes: above {amount}, a supervisor confirms.</source>
        <translation>Так: понад {amount} підтверджує контролер.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="182"/>
        <source>Yes: {reason}</source>
        <translation>Так: {reason}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="183"/>
        <source>Yes: a supervisor confirms.</source>
        <translation>Так: підтверджує контролер.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="189"/>
        <source>Below the customer&apos;s per-operation minimum: must be more than {amount}.</source>
        <translation>Менше за мінімум клієнта на одну операцію: сума має бути більшою ніж {amount}.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="193"/>
        <source>Above the customer&apos;s per-operation maximum: must be less than {amount}.</source>
        <translation>Більше за максимум клієнта на одну операцію: сума має бути меншою ніж {amount}.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="197"/>
        <source>The customer&apos;s limit {period} would be exceeded (less than {amount} in total).</source>
        <translation>Буде перевищено ліміт клієнта {period} (разом менше ніж {amount}).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="200"/>
        <source>The customer&apos;s limit {period} would be exceeded.</source>
        <translation>Буде перевищено ліміт клієнта {period}.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="209"/>
        <source>Not enough money on the account.</source>
        <translation>На рахунку недостатньо коштів.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="212"/>
        <source>The account may hold at most {amount}.</source>
        <translation>На рахунку може бути щонайбільше {amount}.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="215"/>
        <source>The account would hold more than the customer&apos;s balance cap.</source>
        <translation>На рахунку було б більше, ніж дозволений клієнтові баланс.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="218"/>
        <source>The customer is disabled: no payments.</source>
        <translation>Клієнта вимкнено: платежі неможливі.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="220"/>
        <source>The platform does not allow a payment between these accounts.</source>
        <translation>Платформа не дозволяє платіж між цими рахунками.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="223"/>
        <source>The bank holds no signing secret for this customer: the platform cannot sign the payment. Ask the administrator to register the customer&apos;s key.</source>
        <translation>Банк не має секрету підпису для цього клієнта: платформа не може підписати платіж. Попросіть адміністратора зареєструвати ключ клієнта.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="227"/>
        <source>The payment is no longer a draft.</source>
        <translation>Платіж уже не є чернеткою.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="248"/>
        <source>It is not known yet whether the payment was confirmed: the platform did not answer in time and may still confirm it. Check its status before you void it or make a new one.</source>
        <translation>Ще невідомо, чи платіж підтверджено: платформа не відповіла вчасно і може ще його підтвердити. Перевірте його статус, перш ніж анулювати його чи створювати новий.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="253"/>
        <source>The payment was not confirmed (its status is still a draft). Press Confirm again: the platform confirms a draft only once.</source>
        <translation>Платіж не підтверджено (його статус — досі чернетка). Натисніть «Підтвердити» ще раз: платформа підтверджує чернетку лише один раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="268"/>
        <source>The platform marked the payment as failed: this is final, no money moved. If the customer still wants the operation, make a new one.</source>
        <translation>Платформа позначила платіж як невдалий: це остаточно, гроші не рухалися. Якщо клієнт усе ще хоче операцію, створіть нову.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="271"/>
        <source>The customer has no account for cash: open an account first.</source>
        <translation>У клієнта немає рахунку для готівки: спершу відкрийте рахунок.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="273"/>
        <source>The platform has no payment category for this cash operation. Ask your administrator.</source>
        <translation>На платформі немає категорії платежу для цієї касової операції. Зверніться до адміністратора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="275"/>
        <source>No cash account of the branch is visible to you, so the platform cannot take this payment. Ask your administrator.</source>
        <translation>Вам не видно жодного касового рахунку відділення, тому платформа не може прийняти цей платіж. Зверніться до адміністратора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="278"/>
        <source>Voiding a draft needs the Teller Hub.</source>
        <translation>Щоб анулювати чернетку, потрібен Teller Hub.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="279"/>
        <source>This employee may not confirm amounts above the teller&apos;s limit.</source>
        <translation>Цей працівник не може підтверджувати суми, більші за ліміт операціоніста.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="245"/>
        <source>A supervisor must confirm this payment (here or from their inbox).</source>
        <translation>Цей платіж має підтвердити контролер (тут або у своїх вхідних запитах).</translation>
    </message>
</context>
<context>
    <name>ChangeRequestDialog</name>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="53"/>
        <source>Lower the KYC level</source>
        <translation>Знизити рівень KYC</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="68"/>
        <source>disable the customer</source>
        <translation>вимкнути клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="70"/>
        <source>re-enable the customer</source>
        <translation>знову ввімкнути клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="72"/>
        <source>set status to “%1”</source>
        <translation>встановити статус «%1»</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="75"/>
        <source>set KYC level to %1</source>
        <translation>встановити рівень KYC %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="127"/>
        <source>Request a change — %1</source>
        <translation>Запит на зміну — %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="157"/>
        <source>&amp;Send for approval</source>
        <translation>&amp;Надіслати на погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="158"/>
        <source>Supervisor approves &amp;here…</source>
        <translation>Контролер погоджує &amp;тут…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="163"/>
        <source>Customer</source>
        <translation>Клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="165"/>
        <source>Ch&amp;ange</source>
        <translation>&amp;Зміна</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="166"/>
        <source>Now</source>
        <translation>Зараз</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="167"/>
        <source>New &amp;KYC level</source>
        <translation>Новий &amp;рівень KYC</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="168"/>
        <source>&amp;Reason</source>
        <translation>&amp;Причина</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="148"/>
        <source>Why (required; the supervisor reads this)</source>
        <translation>Причина (обов’язково; її прочитає контролер)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="225"/>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="78"/>
        <source>set the allowed balance to %1</source>
        <translation>встановити дозволений баланс %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="85"/>
        <source>set the segment to “%1”</source>
        <translation>встановити сегмент «%1»</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/change_request_dialog.py" line="90"/>
        <source>confirm a cash payment of %1</source>
        <translation>підтвердити касову операцію на %1</translation>
    </message>
</context>
<context>
    <name>CountGrid</name>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="88"/>
        <source>Pieces</source>
        <translation>Кількість</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="88"/>
        <source>Sum</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="108"/>
        <source>Total</source>
        <translation>Разом</translation>
    </message>
</context>
<context>
    <name>CrashHandler</name>
    <message>
        <location filename="../../teller_app/ui/crash_handler.py" line="57"/>
        <source>Something went wrong</source>
        <translation>Щось пішло не так</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/crash_handler.py" line="59"/>
        <source>An unexpected error happened. Your work is kept and Teller keeps running.
If it happens again, tell support what you were doing.</source>
        <translation>Сталася неочікувана помилка. Вашу роботу збережено, Teller продовжує працювати.
Якщо це повториться, повідомте службу підтримки, що саме ви робили.</translation>
    </message>
</context>
<context>
    <name>CustomerCard</name>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="48"/>
        <source>just now</source>
        <translation>щойно</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/customer_card.py" line="50"/>
        <source>%n min ago</source>
        <translation>
            <numerusform>%n хв тому</numerusform>
            <numerusform>%n хв тому</numerusform>
            <numerusform>%n хв тому</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/customer_card.py" line="52"/>
        <source>%n h ago</source>
        <translation>
            <numerusform>%n год тому</numerusform>
            <numerusform>%n год тому</numerusform>
            <numerusform>%n год тому</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/customer_card.py" line="53"/>
        <source>%n day(s) ago</source>
        <translation>
            <numerusform>%n день тому</numerusform>
            <numerusform>%n дні тому</numerusform>
            <numerusform>%n днів тому</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="179"/>
        <source>← Search (Esc)</source>
        <translation>← Пошук (Esc)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="180"/>
        <source>Refresh (Ctrl+R)</source>
        <translation>Оновити (Ctrl+R)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="181"/>
        <source>Edit (Ctrl+E)</source>
        <translation>Редагувати (Ctrl+E)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="28"/>
        <source>Surname</source>
        <translation>Прізвище</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="29"/>
        <source>Name</source>
        <translation>Ім’я</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="30"/>
        <source>Paternal name</source>
        <translation>По батькові</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="31"/>
        <source>Login</source>
        <translation>Логін</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="32"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="33"/>
        <source>Segment</source>
        <translation>Сегмент</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="34"/>
        <source>Branch</source>
        <translation>Відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="35"/>
        <source>Balance allowed</source>
        <translation>Дозволений баланс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="36"/>
        <source>Customer GUID</source>
        <translation>GUID клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="185"/>
        <source>Accounts</source>
        <translation>Рахунки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="218"/>
        <source>Refreshing customer…</source>
        <translation>Оновлення даних клієнта…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="275"/>
        <source>Loading…</source>
        <translation>Завантаження…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="245"/>
        <source>Opening customer…</source>
        <translation>Відкриття картки клієнта…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="182"/>
        <source>&amp;Open additional account…</source>
        <translation>&amp;Відкрити додатковий рахунок…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="277"/>
        <source>{saved} · refreshing…</source>
        <translation>{saved} · оновлення…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="279"/>
        <source>Up to date</source>
        <translation>Дані актуальні</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="281"/>
        <source>Offline — showing saved data from {age}; accounts and balances show once the platform is reachable</source>
        <translation>Офлайн — показано дані, збережені {age}; рахунки й баланси з’являться, щойно платформа стане доступною</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="285"/>
        <source>Offline — showing saved data from {age}</source>
        <translation>Офлайн — показано дані, збережені {age}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="293"/>
        <source>Not yet loaded</source>
        <translation>Ще не завантажено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="295"/>
        <source>Saved {age}</source>
        <translation>Збережено {age}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="57"/>
        <source>DISABLED</source>
        <translation>ВИМКНЕНИЙ</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="62"/>
        <source>Status: &lt;b&gt;{status}&lt;/b&gt;</source>
        <translation>Статус: &lt;b&gt;{status}&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card_text.py" line="64"/>
        <source>KYC level: &lt;b&gt;{level}&lt;/b&gt;</source>
        <translation>Рівень KYC: &lt;b&gt;{level}&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="187"/>
        <source>IBAN (optional)</source>
        <translation>IBAN (необов’язково)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="190"/>
        <source>Open account</source>
        <translation>Відкрити рахунок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="191"/>
        <source>Cancel</source>
        <translation>Скасувати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="192"/>
        <source>Open an additional account</source>
        <translation>Відкриття додаткового рахунку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="378"/>
        <source>Opening account…</source>
        <translation>Відкриття рахунку…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_card.py" line="371"/>
        <location filename="../../teller_app/ui/customer_card.py" line="395"/>
        <source>The account is open.</source>
        <translation>Рахунок відкрито.</translation>
    </message>
</context>
<context>
    <name>CustomerForm</name>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="212"/>
        <source>phone, e-mail or another unique name</source>
        <translation>телефон, e-mail або інше унікальне ім’я</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="213"/>
        <source>+380 67 123 45 67</source>
        <translation>+380 67 123 45 67</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="216"/>
        <source>optional, e.g. UA21 3223 1300 0002 6007 2335 6600 1</source>
        <translation>необов’язково, напр. UA21 3223 1300 0002 6007 2335 6600 1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_fill.py" line="112"/>
        <location filename="../../teller_app/ui/customer_form_fill.py" line="121"/>
        <location filename="../../teller_app/ui/field_values.py" line="43"/>
        <source>(none)</source>
        <translation>(немає)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_fill.py" line="108"/>
        <source>(same as the account&apos;s asset)</source>
        <translation>(як актив рахунку)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="160"/>
        <source>Surname</source>
        <translation>Прізвище</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="161"/>
        <source>Name</source>
        <translation>Ім’я</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="162"/>
        <source>Paternal name</source>
        <translation>По батькові</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="129"/>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="132"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="245"/>
        <source>Save changes (Ctrl+Enter)</source>
        <translation>Зберегти зміни (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="246"/>
        <source>Create customer (Ctrl+Enter)</source>
        <translation>Створити клієнта (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="228"/>
        <source>&amp;Disabled</source>
        <translation>Вимк&amp;нений</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="229"/>
        <source>Create the customer &amp;disabled</source>
        <translation>Створити клієнта вимк&amp;неним</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="231"/>
        <source>&amp;Asset</source>
        <translation>Акт&amp;ив</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="231"/>
        <source>&amp;Login</source>
        <translation>&amp;Логін</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="232"/>
        <source>&amp;Surname</source>
        <translation>&amp;Прізвище</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="232"/>
        <source>Na&amp;me</source>
        <translation>І&amp;м’я</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="233"/>
        <source>&amp;Paternal name</source>
        <translation>П&amp;о батькові</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="233"/>
        <source>Ph&amp;one</source>
        <translation>&amp;Телефон</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="234"/>
        <source>IBA&amp;N</source>
        <translation>&amp;IBAN</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="234"/>
        <source>B&amp;ranch</source>
        <translation>&amp;Відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="235"/>
        <source>Se&amp;gment</source>
        <translation>С&amp;егмент</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="235"/>
        <source>&amp;KYC level</source>
        <translation>&amp;Рівень KYC</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="236"/>
        <source>Balance allo&amp;wed</source>
        <translation>До&amp;зволений баланс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="237"/>
        <source>&amp;Balance asset</source>
        <translation>Актив &amp;балансу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="237"/>
        <source>Stat&amp;us</source>
        <translation>&amp;Статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="247"/>
        <source>Canc&amp;el</source>
        <translation>Скас&amp;увати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="248"/>
        <source>Edit customer</source>
        <translation>Редагування клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="248"/>
        <source>New customer</source>
        <translation>Новий клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="331"/>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="126"/>
        <source>Check the highlighted fields.</source>
        <translation>Перевірте виділені поля.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="337"/>
        <source>Nothing has changed.</source>
        <translation>Нічого не змінено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="344"/>
        <source>Saving customer…</source>
        <translation>Збереження клієнта…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="349"/>
        <source>Creating customer…</source>
        <translation>Створення клієнта…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="54"/>
        <source>This change needs a supervisor&apos;s approval: a change request opens.</source>
        <translation>Ця зміна потребує погодження контролера: відкривається запит на зміну.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="80"/>
        <source>The platform did not answer: the customer may have been created. Nothing was lost: press Save again when the connection is back; it checks first and never creates the customer twice.</source>
        <translation>Платформа не відповіла: клієнта, можливо, вже створено. Нічого не втрачено: натисніть «Зберегти» ще раз, коли зв’язок відновиться; спершу буде перевірено, чи клієнт існує, і двічі його не буде створено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="101"/>
        <source>A customer with this login exists and may be the one your earlier attempt created: search for the login before creating another.</source>
        <translation>Клієнт із таким логіном існує, і, можливо, його створила ваша попередня спроба: знайдіть цей логін, перш ніж створювати іншого.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="122"/>
        <source>Another desk is creating a customer with this login now. Search for the login in a few minutes, or use another login.</source>
        <translation>Інше робоче місце саме створює клієнта з цим логіном. Пошукайте цей логін за кілька хвилин або виберіть інший логін.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="155"/>
        <source>Changed meanwhile at another desk to: “{value}”. Save again to replace it with yours.</source>
        <translation>Тим часом змінено на іншому робочому місці на: «{value}». Збережіть ще раз, щоб замінити своїм значенням.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/field_values.py" line="50"/>
        <source>Enabled</source>
        <translation>Увімкнений</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="113"/>
        <source>Choose the asset.</source>
        <translation>Виберіть актив.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="118"/>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="239"/>
        <source>A customer with this login already exists.</source>
        <translation>Клієнт із таким логіном уже існує.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="135"/>
        <source>Blocking needs a supervisor&apos;s approval.</source>
        <translation>Блокування потребує погодження контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="175"/>
        <source>Phone number is required.</source>
        <translation>Номер телефону обов’язковий.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/customer_form_checks.py" line="194"/>
        <source>Enter an amount with at most %n decimal place(s).</source>
        <translation>
            <numerusform>Введіть суму, у якій не більше %n знака після коми.</numerusform>
            <numerusform>Введіть суму, у якій не більше %n знаків після коми.</numerusform>
            <numerusform>Введіть суму, у якій не більше %n знаків після коми.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="257"/>
        <source>Checking phone number…</source>
        <translation>Перевірка номера телефону…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="77"/>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="278"/>
        <source>A customer with this phone number already exists.</source>
        <translation>Клієнт із цим номером телефону вже існує.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approval_errors.py" line="78"/>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="280"/>
        <source>A customer with this phone number already exists: {name}</source>
        <translation>Клієнт із цим номером телефону вже існує: {name}</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/discard_prompt.py" line="27"/>
        <source>%n customer form(s) have unsaved changes. Discard them?</source>
        <translation>
            <numerusform>%n форма клієнта має незбережені зміни. Відкинути їх?</numerusform>
            <numerusform>%n форми клієнтів мають незбережені зміни. Відкинути їх?</numerusform>
            <numerusform>%n форм клієнтів мають незбережені зміни. Відкинути їх?</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="199"/>
        <source>The amount cannot be negative.</source>
        <translation>Сума не може бути від’ємною.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_checks.py" line="219"/>
        <source>Checking login…</source>
        <translation>Перевірка логіна…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="87"/>
        <source>The platform cannot be reached. Nothing was lost: press Save again when the connection is back.</source>
        <translation>Платформа недоступна. Нічого не втрачено: натисніть «Зберегти» ще раз, коли зв’язок відновиться.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_fill.py" line="62"/>
        <location filename="../../teller_app/ui/customer_form_fill.py" line="116"/>
        <location filename="../../teller_app/ui/field_values.py" line="39"/>
        <source>(head office — no branch)</source>
        <translation>(головний офіс — без відділення)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="215"/>
        <source>see the accounts on the card</source>
        <translation>див. рахунки в картці клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="220"/>
        <source>(none) — pick or type any status</source>
        <translation>(немає) — виберіть або введіть будь-який статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="222"/>
        <source>The most the customer&apos;s account may hold; 0 means no limit.</source>
        <translation>Найбільша сума, яку може містити рахунок клієнта; 0 — без ліміту.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/field_values.py" line="49"/>
        <source>Disabled</source>
        <translation>Вимкнений</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/discard_prompt.py" line="26"/>
        <source>Unsaved changes</source>
        <translation>Незбережені зміни</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/discard_prompt.py" line="31"/>
        <source>%n customer save(s) already sent will finish first and are not discarded.</source>
        <translation>
            <numerusform>%n збереження клієнта, вже надіслане, спершу завершиться і не буде відкинуте.</numerusform>
            <numerusform>%n збереження клієнтів, уже надіслані, спершу завершаться і не будуть відкинуті.</numerusform>
            <numerusform>%n збережень клієнтів, уже надісланих, спершу завершаться і не будуть відкинуті.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/discard_prompt.py" line="33"/>
        <source>Discard</source>
        <translation>Відкинути</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/discard_prompt.py" line="35"/>
        <source>Keep editing</source>
        <translation>Продовжити редагування</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="149"/>
        <source>The customer changed meanwhile.</source>
        <translation>Тим часом клієнта змінили.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form_refusals.py" line="60"/>
        <source>Four-eyes approval is unavailable: the Teller Hub is not configured.</source>
        <translation>Погодження «чотири ока» недоступне: Teller Hub не налаштовано.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/main_window_leaving.py" line="105"/>
        <source>%n other change(s) already sent will finish first and are not cut off.</source>
        <translation>
            <numerusform>%n інша зміна, вже надіслана, спершу завершиться і не буде перервана.</numerusform>
            <numerusform>%n інші зміни, вже надіслані, спершу завершаться і не будуть перервані.</numerusform>
            <numerusform>%n інших змін, уже надісланих, спершу завершаться і не будуть перервані.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CustomerTableModel</name>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="38"/>
        <source>Name</source>
        <translation>ПІБ</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="39"/>
        <source>Phone</source>
        <translation>Телефон</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="40"/>
        <source>Login</source>
        <translation>Логін</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="41"/>
        <source>KYC</source>
        <translation>KYC</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="42"/>
        <source>Segment</source>
        <translation>Сегмент</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="43"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="44"/>
        <source>Disabled</source>
        <translation>Вимкнений</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="45"/>
        <source>Branch</source>
        <translation>Відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_table_model.py" line="115"/>
        <source>Searching…</source>
        <translation>Пошук…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_table_model.py" line="242"/>
        <source>Loading more results…</source>
        <translation>Завантаження наступних результатів…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_columns.py" line="76"/>
        <location filename="../../teller_app/ui/fit_columns.py" line="222"/>
        <source>disabled</source>
        <translation>вимкнений</translation>
    </message>
</context>
<context>
    <name>DataValues</name>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="16"/>
        <source>active</source>
        <translation>активний</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="17"/>
        <source>inactive</source>
        <translation>неактивний</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="18"/>
        <source>pending</source>
        <translation>на розгляді</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="19"/>
        <source>blocked</source>
        <translation>заблокований</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="20"/>
        <source>closed</source>
        <translation>закритий</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="25"/>
        <source>retail</source>
        <translation>роздрібний</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="26"/>
        <source>VIP</source>
        <translation>VIP</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="30"/>
        <source>Teller</source>
        <translation>Операціоніст</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="31"/>
        <source>Supervisor</source>
        <translation>Контролер</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="32"/>
        <source>Administrator</source>
        <translation>Адміністратор</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="33"/>
        <source>Auditor</source>
        <translation>Аудитор</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="37"/>
        <source>approved</source>
        <translation>погоджено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="38"/>
        <source>rejected</source>
        <translation>відхилено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="39"/>
        <source>withdrawn</source>
        <translation>відкликано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="43"/>
        <source>Ukraine Hryvnia</source>
        <translation>Українська гривня</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="46"/>
        <source>customer</source>
        <translation>клієнтський</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="47"/>
        <source>processing</source>
        <translation>процесинговий</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="48"/>
        <source>emission</source>
        <translation>емісійний</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="52"/>
        <source>Customer account</source>
        <translation>Рахунок клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="53"/>
        <source>Processing account</source>
        <translation>Процесинговий рахунок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/data_text.py" line="54"/>
        <source>Emission account</source>
        <translation>Емісійний рахунок</translation>
    </message>
</context>
<context>
    <name>DeskHooks</name>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="130"/>
        <source>SANDBOX — demo data</source>
        <translation>ПІСОЧНИЦЯ — демодані</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="153"/>
        <source>SANDBOX — demo data. Nothing here is a real bank, customer or payment.</source>
        <translation>ПІСОЧНИЦЯ — демодані. Тут немає справжнього банку, клієнтів чи платежів.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="156"/>
        <source>Customers found</source>
        <translation>Знайдені клієнти</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="157"/>
        <source>Work tabs</source>
        <translation>Робочі вкладки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="169"/>
        <source>&amp;Help</source>
        <translation>&amp;Довідка</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="170"/>
        <source>&amp;Profiles…</source>
        <translation>&amp;Профілі…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="171"/>
        <source>S&amp;ettings…</source>
        <translation>&amp;Налаштування…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="172"/>
        <source>Save &amp;diagnostics…</source>
        <translation>Зберегти &amp;діагностику…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="173"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>&amp;Клавіатурні скорочення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="174"/>
        <source>&amp;About Teller</source>
        <translation>&amp;Про Teller</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="175"/>
        <source>Cash &amp;deposit…</source>
        <translation>&amp;Внесення готівки…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="176"/>
        <source>Cash &amp;withdrawal…</source>
        <translation>В&amp;идача готівки…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="177"/>
        <source>&amp;Approve the selected request</source>
        <translation>По&amp;годити вибраний запит</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="178"/>
        <source>&amp;Reject the selected request</source>
        <translation>Від&amp;хилити вибраний запит</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="258"/>
        <source>Open a customer card to take or pay out cash.</source>
        <translation>Відкрийте картку клієнта, щоб прийняти чи видати готівку.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="271"/>
        <source>The selected request is being read again or decided. Try again in a moment.</source>
        <translation>Вибраний запит саме перечитується або вирішується. Спробуйте ще раз за мить.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="275"/>
        <source>Select a request in the approvals inbox first.</source>
        <translation>Спершу виберіть запит на панелі «Погодження».</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="328"/>
        <source>Save diagnostics</source>
        <translation>Зберегти діагностику</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="330"/>
        <source>Zip archives (*.zip)</source>
        <translation>Zip-архіви (*.zip)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="344"/>
        <source>Diagnostics saved to {path} (no passwords or tokens).</source>
        <translation>Діагностику збережено у файл {path} (без паролів і токенів).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="346"/>
        <source>Saving diagnostics…</source>
        <translation>Збереження діагностики…</translation>
    </message>
</context>
<context>
    <name>ErrorText</name>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="107"/>
        <location filename="../../teller_app/ui/error_text.py" line="121"/>
        <source>This employee account is disabled. Ask your administrator.</source>
        <translation>Обліковий запис цього працівника вимкнено. Зверніться до адміністратора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="110"/>
        <source>This profile signs in through the bank&apos;s Teller Hub, but no hub address is set. Ask your administrator.</source>
        <translation>Цей профіль входить через Teller Hub банку, але адресу хаба не вказано. Зверніться до адміністратора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="117"/>
        <source>The bank&apos;s sign-in service refused this token.</source>
        <translation>Служба входу банку відхилила цей токен.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="105"/>
        <source>Wrong e-mail or password.</source>
        <translation>Неправильний e-mail або пароль.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="123"/>
        <source>This employee may not use Teller.</source>
        <translation>Цей працівник не має доступу до Teller.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="125"/>
        <source>The platform cannot be reached. Check the network and try again.</source>
        <translation>Платформа недоступна. Перевірте мережу й спробуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="128"/>
        <source>The platform did not answer in time. Try again.</source>
        <translation>Платформа не відповіла вчасно. Спробуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="148"/>
        <source>The bank&apos;s Teller Hub cannot be reached, so the customer&apos;s secret could not be issued and nothing was created. Your work is kept; try again later.</source>
        <translation>Teller Hub банку недоступний, тому секрет клієнта не видано і нічого не створено. Введені дані збережено; спробуйте пізніше.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="155"/>
        <source>This desk is older than the Teller Hub allows: ask IT to update Teller.</source>
        <translation>Версія цього робочого місця старіша, ніж дозволяє Teller Hub: попросіть ІТ оновити Teller.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="162"/>
        <source>The Teller Hub is being updated and did not take this: nothing was done. Your work is kept; try again in a minute.</source>
        <translation>Teller Hub оновлюється і не прийняв цю дію: нічого не зроблено. Введені дані збережено; спробуйте ще раз за хвилину.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="188"/>
        <source>The Teller Hub cannot use its database just now, so nothing was done. Your work is kept; try again when the hub is back.</source>
        <translation>Teller Hub зараз не може скористатися своєю базою даних, тож нічого не зроблено. Введені дані збережено; спробуйте ще раз, коли хаб знову працюватиме.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="220"/>
        <source>The bank&apos;s Teller Hub cannot be reached. Try again later.</source>
        <translation>Teller Hub банку недоступний. Спробуйте пізніше.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="222"/>
        <source>The bank&apos;s Teller Hub did not answer, so it is not known whether this went through. Your work is kept; look at the current state before you try again.</source>
        <translation>Teller Hub банку не відповів, тому невідомо, чи дію виконано. Введені дані збережено; перш ніж пробувати знову, перегляньте поточний стан.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="237"/>
        <source>The Teller Hub refused: {message}</source>
        <translation>Teller Hub відмовив: {message}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="266"/>
        <source>The local cache was damaged and is being rebuilt from the platform; searching the platform directly meanwhile.</source>
        <translation>Локальний кеш пошкоджено, його перебудовують з даних платформи; тим часом пошук іде безпосередньо на платформі.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="286"/>
        <source>Too many failed sign-ins for this account. Wait a few minutes and try again.</source>
        <translation>Забагато невдалих спроб входу для цього облікового запису. Зачекайте кілька хвилин і спробуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="290"/>
        <source>Too many phone number checks from this account in the last minute: nothing was saved. Your work is kept; wait a minute and try again.</source>
        <translation>Забагато перевірок номерів телефону з цього облікового запису за останню хвилину: нічого не збережено. Введені дані збережено; зачекайте хвилину і спробуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="294"/>
        <source>The audit chain was checked moments ago. Try again in a minute.</source>
        <translation>Ланцюжок аудиту щойно перевірено. Спробуйте ще раз за хвилину.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="296"/>
        <source>The Teller Hub asks to wait a moment: nothing was done. Try again in a minute.</source>
        <translation>Teller Hub просить трохи зачекати: нічого не виконано. Спробуйте ще раз за хвилину.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="305"/>
        <source>The Teller Hub could not check the phone number with the platform just now: nothing was saved. Your work is kept; try again in a moment.</source>
        <translation>Teller Hub зараз не зміг перевірити номер телефону на платформі: нічого не збережено. Введені дані збережено; спробуйте ще раз за мить.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="313"/>
        <source>The Teller Hub could not run a check just now: nothing was done. Try again in a moment.</source>
        <translation>Teller Hub зараз не зміг виконати перевірку: нічого не виконано. Спробуйте ще раз за мить.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="338"/>
        <source>The platform cannot be reached. Your work is kept; try again later.</source>
        <translation>Платформа недоступна. Введені дані збережено; спробуйте пізніше.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="341"/>
        <source>The platform did not answer in time. Your work is kept; try again.</source>
        <translation>Платформа не відповіла вчасно. Введені дані збережено; спробуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="346"/>
        <source>Your session has expired. Sign in again.</source>
        <translation>Ваш сеанс завершився. Увійдіть знову.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="236"/>
        <location filename="../../teller_app/ui/error_text.py" line="350"/>
        <source>You are not allowed to do this.</source>
        <translation>Вам не дозволено виконувати цю дію.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="309"/>
        <source>The Teller Hub could not read the platform just now, so it did not take this step. Your work is kept; try again in a moment.</source>
        <translation>Teller Hub зараз не зміг прочитати дані платформи, тому цей крок не виконано. Введені дані збережено; спробуйте ще раз за мить.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="352"/>
        <source>Not found on the platform.</source>
        <translation>Не знайдено на платформі.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cash_text.py" line="234"/>
        <location filename="../../teller_app/ui/error_text.py" line="354"/>
        <location filename="../../teller_app/ui/error_text.py" line="357"/>
        <source>The platform refused: {message}</source>
        <translation>Платформа відхилила запит: {message}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="360"/>
        <source>Platform error: {message}</source>
        <translation>Помилка платформи: {message}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="362"/>
        <source>Unexpected error: {message}</source>
        <translation>Неочікувана помилка: {message}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="74"/>
        <source>This platform address must start with https:// (plain http:// is allowed only for this computer). Ask your administrator to fix the profile.</source>
        <translation>Адреса платформи має починатися з https:// (звичайний http:// дозволено лише для цього комп’ютера). Попросіть адміністратора виправити профіль.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="78"/>
        <source>The server&apos;s key does not match the key pinned in the profile: the connection was refused and nothing was sent. Tell your administrator.</source>
        <translation>Ключ сервера не збігається з ключем, закріпленим у профілі: з’єднання відхилено, нічого не надіслано. Повідомте адміністратора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="82"/>
        <source>The server&apos;s certificate is not trusted: the connection was refused and nothing was sent. Tell your administrator.</source>
        <translation>Сертифікат сервера не є довіреним: з’єднання відхилено, нічого не надіслано. Повідомте адміністратора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="84"/>
        <source>The profile&apos;s connection settings are not valid: {message}</source>
        <translation>Налаштування з’єднання профілю недійсні: {message}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="141"/>
        <source>{message} (The platform said: {detail})</source>
        <translation>{message} (Відповідь платформи: {detail})</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="100"/>
        <source>Teller is already running for this profile on this computer. Switch to that window, or close it and sign in again here.</source>
        <translation>Teller уже запущено для цього профілю на цьому комп’ютері. Перейдіть до того вікна або закрийте його й увійдіть тут знову.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="114"/>
        <source>The remembered sign-in has expired or was revoked. Enter your password.</source>
        <translation>Запам’ятований вхід застарів або його відкликано. Введіть пароль.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="136"/>
        <source>The bank&apos;s Auth Service refused, or has no secret for this customer or for the branch&apos;s cash account (a cash payment is signed for it). Your work is kept.</source>
        <translation>Сервіс автентифікації банку відмовив або не має секрету для цього клієнта чи для касового рахунку відділення (касовий платіж підписується для нього). Введені дані збережено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="248"/>
        <source>The local cache is in use by another Teller on this computer; searching the platform directly. Close the other Teller to use the cache.</source>
        <translation>Локальний кеш використовує інший Teller на цьому комп’ютері; пошук іде безпосередньо на платформі. Закрийте інший Teller, щоб користуватися кешем.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="253"/>
        <source>The disk is full, so the local cache cannot be opened; searching the platform directly. Nothing was deleted. Free some disk space and sign in again.</source>
        <translation>Диск заповнений, тому локальний кеш не вдається відкрити; пошук іде безпосередньо на платформі. Нічого не видалено. Звільніть місце на диску й увійдіть знову.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="257"/>
        <source>The local cache folder is read-only; searching the platform directly. Nothing was deleted. Ask your administrator.</source>
        <translation>Тека локального кешу доступна лише для читання; пошук іде безпосередньо на платформі. Нічого не видалено. Зверніться до адміністратора.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="259"/>
        <source>The local cache cannot be read or written (a disk error); searching the platform directly. Nothing was deleted.</source>
        <translation>Локальний кеш не вдається прочитати чи записати (помилка диска); пошук іде безпосередньо на платформі. Нічого не видалено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/error_text.py" line="261"/>
        <source>The local cache could not be opened; searching the platform directly.</source>
        <translation>Не вдалося відкрити локальний кеш; пошук іде безпосередньо на платформі.</translation>
    </message>
</context>
<context>
    <name>FilterBar</name>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="163"/>
        <source>&amp;Status:</source>
        <translation>&amp;Статус:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="163"/>
        <source>Se&amp;gment:</source>
        <translation>С&amp;егмент:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="164"/>
        <source>&amp;KYC:</source>
        <translation>&amp;Рівень KYC:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="164"/>
        <source>&amp;Disabled:</source>
        <translation>&amp;Вимкнені:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="165"/>
        <source>Created &amp;from:</source>
        <translation>Створено &amp;з:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="165"/>
        <location filename="../../teller_app/ui/filter_bar.py" line="166"/>
        <source>to:</source>
        <translation>по:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="166"/>
        <source>&amp;Updated from:</source>
        <translation>&amp;Оновлено з:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="167"/>
        <source>Created to</source>
        <translation>Створено по</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="167"/>
        <source>Updated to</source>
        <translation>Оновлено по</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="173"/>
        <location filename="../../teller_app/ui/filter_bar.py" line="183"/>
        <location filename="../../teller_app/ui/filter_bar.py" line="185"/>
        <location filename="../../teller_app/ui/filter_bar.py" line="187"/>
        <source>any</source>
        <translation>будь-який</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="175"/>
        <source>C&amp;lear filters</source>
        <translation>Скинути &amp;фільтри</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="176"/>
        <source>all</source>
        <translation>усі</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="176"/>
        <source>enabled only</source>
        <translation>лише ввімкнені</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/filter_bar.py" line="177"/>
        <source>disabled only</source>
        <translation>лише вимкнені</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../../teller_app/ui/history.py" line="94"/>
        <source>Account history: {account}</source>
        <translation>Історія рахунку: {account}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="110"/>
        <source>All categories</source>
        <translation>Усі категорії</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="113"/>
        <source>Any status</source>
        <translation>Будь-який статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="116"/>
        <source>Refresh</source>
        <translation>Оновити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="117"/>
        <source>Export CSV…</source>
        <translation>Експорт CSV…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="195"/>
        <source>Reading payment categories</source>
        <translation>Читання категорій платежів</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/history.py" line="243"/>
        <source>Offline: as of %1, only the newest %n payments, as last fetched</source>
        <translation>
            <numerusform>Офлайн: станом на %1, лише останній %n платіж, як отримано востаннє</numerusform>
            <numerusform>Офлайн: станом на %1, лише останні %n платежі, як отримано востаннє</numerusform>
            <numerusform>Офлайн: станом на %1, лише останні %n платежів, як отримано востаннє</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="246"/>
        <source>Offline: as of {time}, as last fetched</source>
        <translation>Офлайн: станом на {time}, як отримано востаннє</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/history.py" line="253"/>
        <source>%n payments, fetched at %1</source>
        <translation>
            <numerusform>%n платіж, отримано о %1</numerusform>
            <numerusform>%n платежі, отримано о %1</numerusform>
            <numerusform>%n платежів, отримано о %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/history.py" line="255"/>
        <source>%1 of %n payments, fetched at %2</source>
        <translation>
            <numerusform>%1 з %n платежу, отримано о %2</numerusform>
            <numerusform>%1 з %n платежів, отримано о %2</numerusform>
            <numerusform>%1 з %n платежів, отримано о %2</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="276"/>
        <source>Export history</source>
        <translation>Експорт історії</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="277"/>
        <source>CSV files (*.csv)</source>
        <translation>Файли CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="288"/>
        <source>Time (ISO 8601)</source>
        <translation>Час (ISO 8601)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="288"/>
        <source>Direction</source>
        <translation>Напрям</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="290"/>
        <source>Payment ID</source>
        <translation>Ідентифікатор платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="289"/>
        <source>Currency</source>
        <translation>Валюта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="98"/>
        <source>&amp;Dates</source>
        <translation>&amp;Дати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="290"/>
        <source>Stellar transaction</source>
        <translation>Транзакція Stellar</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="291"/>
        <source>Incoming</source>
        <translation>Надходження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="291"/>
        <source>Outgoing</source>
        <translation>Списання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="304"/>
        <source>Not exported: the platform cannot be reached, and the copy shown may be only part of the history. Export again when the desk is online.</source>
        <translation>Не експортовано: платформа недоступна, а показана копія може бути лише частиною історії. Експортуйте ще раз, коли робоче місце буде в мережі.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="312"/>
        <source>Not exported: the whole history could not be read ({reason}). Nothing was written.</source>
        <translation>Не експортовано: не вдалося прочитати всю історію ({reason}). Нічого не записано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="315"/>
        <source>Reading the whole history for the export</source>
        <translation>Читання всієї історії для експорту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="328"/>
        <source>Exported to {path}</source>
        <translation>Експортовано у файл {path}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history.py" line="333"/>
        <source>Exporting</source>
        <translation>Експорт</translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <location filename="../../teller_app/ui/history_model.py" line="79"/>
        <source>Date (Kyiv)</source>
        <translation>Дата (Київ)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history_model.py" line="79"/>
        <source>Operation</source>
        <translation>Операція</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history_model.py" line="79"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history_model.py" line="80"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history_model.py" line="80"/>
        <source>Purpose</source>
        <translation>Призначення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history_model.py" line="80"/>
        <source>Payment</source>
        <translation>Платіж</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/history_model.py" line="197"/>
        <source>Reading the account history</source>
        <translation>Читання історії рахунку</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="109"/>
        <source>The session is locked</source>
        <translation>Сеанс заблоковано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="110"/>
        <source>Your password</source>
        <translation>Ваш пароль</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="112"/>
        <source>Unlock</source>
        <translation>Розблокувати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="113"/>
        <source>name@bank</source>
        <translation>name@bank</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="114"/>
        <source>Sign in as this employee</source>
        <translation>Увійти як цей працівник</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="115"/>
        <source>A different employee</source>
        <translation>Інший працівник</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="116"/>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="118"/>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="154"/>
        <source>Signed in: %1</source>
        <translation>У системі: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="190"/>
        <source>Enter your password.</source>
        <translation>Введіть свій пароль.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="200"/>
        <source>Enter the employee&apos;s e-mail.</source>
        <translation>Введіть e-mail працівника.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="204"/>
        <source>Enter the employee&apos;s password.</source>
        <translation>Введіть пароль працівника.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen_page.py" line="122"/>
        <source>Sign &amp;out</source>
        <translation>&amp;Вийти</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../teller_app/ui/main_window.py" line="112"/>
        <source>Teller</source>
        <translation>Teller</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="152"/>
        <location filename="../../teller_app/ui/main_window.py" line="123"/>
        <source>Search</source>
        <translation>Пошук</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window.py" line="219"/>
        <source>You may not create customers.</source>
        <translation>Вам не дозволено створювати клієнтів.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="258"/>
        <location filename="../../teller_app/ui/main_window.py" line="224"/>
        <source>New customer</source>
        <translation>Новий клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/customer_form.py" line="259"/>
        <location filename="../../teller_app/ui/main_window.py" line="243"/>
        <source>Edit: {name}</source>
        <translation>Редагування: {name}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cache_wiring.py" line="161"/>
        <source>Syncing…</source>
        <translation>Синхронізація…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window.py" line="258"/>
        <source>Syncing customers…</source>
        <translation>Синхронізація клієнтів…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window.py" line="318"/>
        <source>Loading segments…</source>
        <translation>Завантаження сегментів…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cache_wiring.py" line="157"/>
        <source>Syncing… {done} of {total}</source>
        <translation>Синхронізація… {done} з {total}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cache_wiring.py" line="160"/>
        <source>Sync failed</source>
        <translation>Помилка синхронізації</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window.py" line="356"/>
        <source>This change needs a supervisor&apos;s approval.</source>
        <translation>Ця зміна потребує погодження контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window.py" line="365"/>
        <source>Customer {name} created.</source>
        <translation>Клієнта {name} створено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window.py" line="376"/>
        <source>Changes saved.</source>
        <translation>Зміни збережено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="144"/>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="104"/>
        <source>&amp;Customer</source>
        <translation>&amp;Клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="145"/>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="105"/>
        <source>&amp;Tools</source>
        <translation>&amp;Інструменти</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="146"/>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="117"/>
        <source>&amp;New customer…</source>
        <translation>&amp;Новий клієнт…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="147"/>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="119"/>
        <source>&amp;Find customer</source>
        <translation>&amp;Пошук клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="148"/>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="121"/>
        <source>&amp;Close tab</source>
        <translation>&amp;Закрити вкладку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="149"/>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="123"/>
        <source>&amp;Sync now</source>
        <translation>&amp;Синхронізувати зараз</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="150"/>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="126"/>
        <source>Sign &amp;out</source>
        <translation>&amp;Вийти</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="151"/>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="128"/>
        <source>&amp;Quit</source>
        <translation>&amp;Закрити програму</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="147"/>
        <source>● online</source>
        <translation>● онлайн</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="152"/>
        <source>● offline</source>
        <translation>● офлайн</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_chrome.py" line="154"/>
        <source>The platform cannot be reached. Search shows saved data; changes wait until the connection is back.</source>
        <translation>Платформа недоступна. Пошук показує збережені дані; зміни чекатимуть відновлення зв’язку.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_reauth.py" line="108"/>
        <source>Signing in again…</source>
        <translation>Повторний вхід…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_reauth.py" line="157"/>
        <source>You were signed out: the platform no longer accepts the password this desk started offline with. Sign in with your current password.</source>
        <translation>Вас виведено з системи: платформа більше не приймає пароль, з яким це робоче місце запустилося офлайн. Увійдіть із вашим чинним паролем.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_reauth.py" line="198"/>
        <source>The system keyring could not delete this desk&apos;s offline sign-in for you. Offline sign-in stays refused for you on this desk; tell IT if this message comes back.</source>
        <translation>Системне сховище ключів не змогло видалити ваш офлайн-вхід на цьому робочому місці. Офлайн-вхід для вас на цьому робочому місці й далі заборонено; повідомте ІТ, якщо це повідомлення з&apos;явиться знову.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_reauth.py" line="202"/>
        <source>The system keyring could not delete this desk&apos;s offline sign-in for you, and the refusal could not be saved on disk. Offline sign-in stays refused for you until this desk quits: tell IT now.</source>
        <translation>Системне сховище ключів не змогло видалити ваш офлайн-вхід на цьому робочому місці, а відмову не вдалося зберегти на диску. Офлайн-вхід для вас заборонено, доки цю програму не закрито: повідомте ІТ зараз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/cache_wiring.py" line="154"/>
        <source>Synced {time}</source>
        <translation>Синхронізовано о {time}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_leaving.py" line="143"/>
        <source>Saving in progress: signing out once it has finished…</source>
        <translation>Триває збереження: вихід — щойно воно завершиться…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/main_window_leaving.py" line="145"/>
        <source>Saving in progress: closing once it has finished…</source>
        <translation>Триває збереження: закриття — щойно воно завершиться…</translation>
    </message>
</context>
<context>
    <name>NoProfile</name>
    <message>
        <location filename="../../teller_app/ui/no_profile.py" line="19"/>
        <source>No platform profile is set up for you on this computer, and your IT department has turned the demo off here. Ask IT (or whoever manages Teller profiles in your bank) for a profile.</source>
        <translation>На цьому комп’ютері для вас не налаштовано профілю платформи, а ІТ-відділ вимкнув тут демонстраційний режим. Попросіть профіль в ІТ-відділі (або в того, хто керує профілями Teller у вашому банку).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/no_profile.py" line="27"/>
        <source>Teller — no profile</source>
        <translation>Teller — немає профілю</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/no_profile.py" line="30"/>
        <source>With the profile&apos;s details you can add it yourself under Profiles…; once IT has set the profiles up for this computer, choose Try again.</source>
        <translation>Маючи дані профілю, ви можете додати його самі в розділі «Профілі…»; коли ІТ-відділ налаштує профілі для цього комп’ютера, виберіть «Спробувати ще раз».</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/no_profile.py" line="34"/>
        <source>&amp;Profiles…</source>
        <translation>&amp;Профілі…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/no_profile.py" line="37"/>
        <source>&amp;Try again</source>
        <translation>Спробувати &amp;ще раз</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/no_profile.py" line="40"/>
        <source>&amp;Quit</source>
        <translation>&amp;Закрити програму</translation>
    </message>
</context>
<context>
    <name>PaymentDetailDialog</name>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="73"/>
        <source>Payment</source>
        <translation>Платіж</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="83"/>
        <source>Payment ID</source>
        <translation>Ідентифікатор платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="84"/>
        <source>Created (Kyiv)</source>
        <translation>Створено (Київ)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="86"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="87"/>
        <source>Category</source>
        <translation>Категорія</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="88"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="89"/>
        <source>Purpose</source>
        <translation>Призначення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="90"/>
        <source>Stellar transaction</source>
        <translation>Транзакція Stellar</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="101"/>
        <source>&amp;Receipt…</source>
        <translation>&amp;Квитанція…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/payment_detail.py" line="135"/>
        <source>Reading who took the payment</source>
        <translation>Визначення працівника, який провів платіж</translation>
    </message>
</context>
<context>
    <name>PdfSave</name>
    <message>
        <location filename="../../teller_app/ui/pdf_save.py" line="51"/>
        <source>Saved to {path}</source>
        <translation>Збережено у файл {path}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/pdf_save.py" line="55"/>
        <source>Could not save: {error}</source>
        <translation>Не вдалося зберегти: {error}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/pdf_save.py" line="60"/>
        <location filename="../../teller_app/ui/print_job.py" line="227"/>
        <location filename="../../teller_app/ui/print_off_thread.py" line="53"/>
        <source>Saving the PDF</source>
        <translation>Збереження PDF</translation>
    </message>
</context>
<context>
    <name>PendingRequestsModel</name>
    <message>
        <location filename="../../teller_app/ui/approvals_model.py" line="45"/>
        <source>Customer</source>
        <translation>Клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_model.py" line="45"/>
        <source>Change</source>
        <translation>Зміна</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_model.py" line="46"/>
        <source>Maker</source>
        <translation>Ініціатор</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_model.py" line="46"/>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_model.py" line="154"/>
        <source>Approved, not applied: %1</source>
        <translation>Погоджено, не застосовано: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/approvals_model.py" line="45"/>
        <source>Requested (Kyiv)</source>
        <translation>Подано (Київ)</translation>
    </message>
</context>
<context>
    <name>PrintJob</name>
    <message>
        <location filename="../../teller_app/ui/print_job.py" line="169"/>
        <source>the printer did not accept it</source>
        <translation>принтер не прийняв завдання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/print_job.py" line="214"/>
        <location filename="../../teller_app/ui/print_off_thread.py" line="46"/>
        <source>no file name was given</source>
        <translation>не вказано назву файлу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/print_off_thread.py" line="43"/>
        <source>Printing</source>
        <translation>Друк</translation>
    </message>
</context>
<context>
    <name>ProfileForm</name>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="49"/>
        <source>e.g. bank-production</source>
        <translation>напр. bank-production</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="54"/>
        <source>Platform password (Mode A)</source>
        <translation>Пароль платформи (режим A)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="55"/>
        <source>Teller Hub (Mode B)</source>
        <translation>Teller Hub (режим B)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="57"/>
        <source>name@bank.ua</source>
        <translation>name@bank.ua</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="60"/>
        <source>only to test the connection; never saved</source>
        <translation>лише для перевірки з’єднання; не зберігається</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="61"/>
        <source>system certificates</source>
        <translation>системні сертифікати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="65"/>
        <source>Choose a CA bundle file</source>
        <translation>Виберіть файл сертифікатів CA</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="70"/>
        <source>A proxy password typed here (http://user:password@host:port) is kept in the OS keyring, never in the profile, and is not shown again.</source>
        <translation>Пароль проксі, введений тут (http://user:password@host:port), зберігається у сховищі паролів ОС, ніколи не в профілі, і більше не показується.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="83"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="213"/>
        <source>&amp;Name:</source>
        <translation>&amp;Назва:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="84"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="213"/>
        <source>Platform &amp;URL:</source>
        <translation>&amp;URL платформи:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="85"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="214"/>
        <source>&amp;Counterparty GUID:</source>
        <translation>GUID кон&amp;трагента:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="86"/>
        <source>Sign-in &amp;mode:</source>
        <translation>Ре&amp;жим входу:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="87"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="215"/>
        <source>Teller &amp;Hub URL:</source>
        <translation>URL Teller &amp;Hub:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="88"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="215"/>
        <source>&amp;E-mail:</source>
        <translation>&amp;E-mail:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="89"/>
        <source>Pass&amp;word:</source>
        <translation>П&amp;ароль:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="90"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="216"/>
        <source>CA &amp;bundle:</source>
        <translation>Сертифікати &amp;CA:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="62"/>
        <source>B&amp;rowse…</source>
        <translation>Огл&amp;яд…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="91"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="217"/>
        <source>SP&amp;KI pins:</source>
        <translation>SPK&amp;I-піни:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="92"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="217"/>
        <source>Pr&amp;oxy:</source>
        <translation>Пр&amp;оксі:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="93"/>
        <source>&amp;Language:</source>
        <translation>&amp;Мова:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="123"/>
        <source>Sign-in through the Teller Hub needs the hub&apos;s URL.</source>
        <translation>Для входу через Teller Hub потрібна URL-адреса хаба.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="138"/>
        <source>Give the profile a name.</source>
        <translation>Дайте профілю назву.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="140"/>
        <source>Enter the counterparty GUID.</source>
        <translation>Введіть GUID контрагента.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="148"/>
        <source>{field}: {problem}</source>
        <translation>{field}: {problem}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="163"/>
        <source>{field}: must not contain “/” or begin or end with a space.</source>
        <translation>{field}: не може містити «/» або починатися чи закінчуватися пробілом.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="171"/>
        <source>must start with https:// (plain http:// is allowed only for this computer, 127.0.0.1).</source>
        <translation>має починатися з https:// (звичайний http:// дозволено лише для цього комп’ютера, 127.0.0.1).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="174"/>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="205"/>
        <source>must be an address like https://dcm.bank.ua.</source>
        <translation>має бути адресою на зразок https://dcm.bank.ua.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="181"/>
        <source>{field}: must be an address like http://proxy.bank.ua:3128.</source>
        <translation>{field}: має бути адресою на зразок http://proxy.bank.ua:3128.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="188"/>
        <source>{field}: each pin is the SHA-256 of the server&apos;s key, in base64 or hex.</source>
        <translation>{field}: кожен пін — це SHA-256 ключа сервера в base64 або hex.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/profile_manager_form.py" line="197"/>
        <source>must be at most %n characters.</source>
        <translation>
            <numerusform>має бути не довшим за %n символ.</numerusform>
            <numerusform>має бути не довшим за %n символи.</numerusform>
            <numerusform>має бути не довшим за %n символів.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="200"/>
        <source>must not be empty.</source>
        <translation>не може бути порожнім.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/profile_manager_form.py" line="201"/>
        <source>must be at least %n characters.</source>
        <translation>
            <numerusform>має містити щонайменше %n символ.</numerusform>
            <numerusform>має містити щонайменше %n символи.</numerusform>
            <numerusform>має містити щонайменше %n символів.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="203"/>
        <source>is required.</source>
        <translation>обов’язкове поле.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="206"/>
        <source>has a value that is not accepted.</source>
        <translation>має неприйнятне значення.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="226"/>
        <source>The Teller Hub password</source>
        <translation>Пароль Teller Hub</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="226"/>
        <source>The platform password</source>
        <translation>Пароль платформи</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="229"/>
        <source>CA bundle (PEM)</source>
        <translation>Сертифікати CA (PEM)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_form.py" line="230"/>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Сертифікати (*.pem *.crt *.cer);;Усі файли (*)</translation>
    </message>
</context>
<context>
    <name>ProfileManager</name>
    <message>
        <location filename="../../teller_app/ui/profile_check_results.py" line="22"/>
        <source>ok</source>
        <translation>пройдено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_check_results.py" line="23"/>
        <source>adapted</source>
        <translation>адаптовано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_check_results.py" line="24"/>
        <source>failed</source>
        <translation>не пройдено</translation>
    </message>
</context>
<context>
    <name>ProfileManagerDialog</name>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="53"/>
        <source>Teller — profiles</source>
        <translation>Teller — профілі</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="63"/>
        <source>Profiles</source>
        <translation>Профілі</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="67"/>
        <source>No saved profiles. A profile holds one bank platform&apos;s connection settings. The built-in sandbox needs none and is not listed. Fill in the form and save to add a profile.</source>
        <translation>Збережених профілів немає. Профіль містить налаштування підключення до платформи одного банку. Вбудованій пісочниці профіль не потрібен, тому її тут немає. Заповніть форму й збережіть, щоб додати профіль.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="73"/>
        <source>&amp;Add</source>
        <translation>&amp;Додати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="74"/>
        <source>Du&amp;plicate</source>
        <translation>&amp;Копіювати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="76"/>
        <source>&amp;Delete</source>
        <translation>&amp;Видалити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="79"/>
        <source>&amp;Save</source>
        <translation>&amp;Зберегти</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="82"/>
        <source>&amp;Test connection</source>
        <translation>&amp;Перевірити з’єднання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="84"/>
        <source>&amp;Import…</source>
        <translation>&amp;Імпорт…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="86"/>
        <source>E&amp;xport…</source>
        <translation>&amp;Експорт…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="88"/>
        <source>Close</source>
        <translation>Закрити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_check_results.py" line="33"/>
        <source>Connection test results</source>
        <translation>Результати перевірки з’єднання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_check_results.py" line="34"/>
        <source>Check</source>
        <translation>Перевірка</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_check_results.py" line="35"/>
        <source>Result</source>
        <translation>Результат</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_check_results.py" line="36"/>
        <source>Evidence</source>
        <translation>Подробиці</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="134"/>
        <source>The profiles file cannot be read: {error}</source>
        <translation>Файл профілів не вдається прочитати: {error}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="155"/>
        <source>A copy of {name}: change what differs and save.</source>
        <translation>Копія {name}: змініть те, що відрізняється, і збережіть.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/profile_delete.py" line="28"/>
        <source>%n audit entries of this profile have not reached the hub yet: deleting the profile deletes them, and the hub will never have them.</source>
        <translation>
            <numerusform>%n запис аудиту цього профілю ще не дійшов до хаба: видалення профілю видалить його, і хаб ніколи його не отримає.</numerusform>
            <numerusform>%n записи аудиту цього профілю ще не дійшли до хаба: видалення профілю видалить їх, і хаб ніколи їх не отримає.</numerusform>
            <numerusform>%n записів аудиту цього профілю ще не дійшли до хаба: видалення профілю видалить їх, і хаб ніколи їх не отримає.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_delete.py" line="37"/>
        <source>You are signed in with the profile {name}: sign out, then delete it from the sign-in window.</source>
        <translation>Ви ввійшли з профілем {name}: вийдіть, а тоді видаліть його у вікні входу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_delete.py" line="41"/>
        <source>Delete profile</source>
        <translation>Видалити профіль</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_delete.py" line="42"/>
        <source>Delete the profile {name}?</source>
        <translation>Видалити профіль {name}?</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_delete.py" line="48"/>
        <source>Its remembered sign-ins, keys, branch cache and audit outbox are removed from this computer too.</source>
        <translation>Його запам’ятані входи, ключі, кеш відділення та черга аудиту теж будуть видалені з цього комп’ютера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_delete.py" line="87"/>
        <source>Profile {name} deleted.</source>
        <translation>Профіль {name} видалено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_delete.py" line="92"/>
        <source>The profile {name} is in use by another Teller: close it, then delete the profile.</source>
        <translation>Профіль {name} використовує інший екземпляр Teller: закрийте його, а тоді видаліть профіль.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="178"/>
        <source>A profile named {name} exists already.</source>
        <translation>Профіль з назвою {name} уже існує.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="190"/>
        <source>Profile {name} saved.</source>
        <translation>Профіль {name} збережено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="203"/>
        <source>Enter the e-mail to test the sign-in with.</source>
        <translation>Введіть e-mail, з яким перевірити вхід.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="209"/>
        <source>Enter the password to test the sign-in with.</source>
        <translation>Введіть пароль, з яким перевірити вхід.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="213"/>
        <source>Testing {url}…</source>
        <translation>Перевірка {url}…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="215"/>
        <source>Testing the connection…</source>
        <translation>Перевірка з’єднання…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/profile_manager.py" line="222"/>
        <source>%n profiles exported to {path} (no passwords).</source>
        <translation>
            <numerusform>Експортовано %n профіль у файл {path} (без паролів).</numerusform>
            <numerusform>Експортовано %n профілі у файл {path} (без паролів).</numerusform>
            <numerusform>Експортовано %n профілів у файл {path} (без паролів).</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="233"/>
        <source>Imported: {names}. Passwords are typed at sign-in.</source>
        <translation>Імпортовано: {names}. Паролі вводяться під час входу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="243"/>
        <source>it is not a JSON file.</source>
        <translation>це не файл JSON.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="245"/>
        <source>it is not a Teller profiles export.</source>
        <translation>це не експорт профілів Teller.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="247"/>
        <source>the profile {name} in it is not valid ({detail}).</source>
        <translation>профіль {name} у ньому некоректний ({detail}).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="250"/>
        <source>a profile in it is not valid ({detail}).</source>
        <translation>один із профілів у ньому некоректний ({detail}).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="252"/>
        <source>Nothing was imported: {why}</source>
        <translation>Нічого не імпортовано: {why}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="323"/>
        <source>{failed} of {total} checks failed.</source>
        <translation>Не пройдено перевірок: {failed} з {total}.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="326"/>
        <source>All {total} checks passed: this profile works.</source>
        <translation>Усі перевірки ({total}) пройдено: профіль працює.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="336"/>
        <source>The proxy password cannot be kept: the OS keyring cannot be used ({reason}). Nothing was saved; enter the proxy without its password, or save once the keyring works.</source>
        <translation>Пароль проксі неможливо зберегти: сховище паролів ОС недоступне ({reason}). Нічого не збережено; вкажіть проксі без пароля або збережіть, коли сховище запрацює.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="351"/>
        <source>Export profiles</source>
        <translation>Експорт профілів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="353"/>
        <location filename="../../teller_app/ui/profile_manager.py" line="362"/>
        <source>Teller profiles (*.json)</source>
        <translation>Профілі Teller (*.json)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager.py" line="360"/>
        <source>Import profiles</source>
        <translation>Імпорт профілів</translation>
    </message>
</context>
<context>
    <name>ProfileRecovery</name>
    <message>
        <location filename="../../teller_app/ui/profile_manager_recovery.py" line="26"/>
        <source>The profiles file {path} cannot be read, so Teller does not know which platform to connect to. It will not fall back to the sandbox.</source>
        <translation>Файл профілів {path} не вдається прочитати, тож Teller не знає, до якої платформи підключатися. Перехід до пісочниці не відбудеться.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_recovery.py" line="30"/>
        <source>Teller — profiles file unreadable</source>
        <translation>Teller — файл профілів не читається</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_recovery.py" line="37"/>
        <source>The file could not be opened or written (its permissions, the disk).</source>
        <translation>Файл не вдалося відкрити чи записати (права доступу, диск).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_recovery.py" line="40"/>
        <source>The file is damaged or is not a Teller profiles file.</source>
        <translation>Файл пошкоджений або це не файл профілів Teller.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_recovery.py" line="44"/>
        <source>&amp;Reset and manage profiles…</source>
        <translation>&amp;Скинути та керувати профілями…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_recovery.py" line="47"/>
        <source>&amp;Try again</source>
        <translation>Спробувати &amp;ще раз</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_recovery.py" line="50"/>
        <source>&amp;Quit</source>
        <translation>&amp;Закрити програму</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_recovery.py" line="74"/>
        <source>The unreadable file was kept as {path}. Add or import the profiles, then close this window to sign in.</source>
        <translation>Файл, який не вдалося прочитати, збережено як {path}. Додайте або імпортуйте профілі, потім закрийте це вікно, щоб увійти.</translation>
    </message>
</context>
<context>
    <name>ReauthDialog</name>
    <message>
        <location filename="../../teller_app/ui/reauth_dialog.py" line="32"/>
        <source>Sign in again</source>
        <translation>Повторний вхід</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/reauth_dialog.py" line="35"/>
        <source>Your session with the platform has ended. Enter the password of %1 to continue: nothing you typed is lost.</source>
        <translation>Сеанс роботи з платформою завершився. Щоб продовжити, введіть пароль працівника %1: усе, що ви ввели, збережено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/reauth_dialog.py" line="41"/>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/reauth_dialog.py" line="57"/>
        <source>Enter your password.</source>
        <translation>Введіть свій пароль.</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="64"/>
        <source>Bank</source>
        <translation>Банк</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="65"/>
        <source>Branch</source>
        <translation>Відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="67"/>
        <source>Till</source>
        <translation>Каса</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="68"/>
        <source>Operation</source>
        <translation>Операція</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="69"/>
        <source>Date and time (Kyiv)</source>
        <translation>Дата й час (Київ)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="71"/>
        <source>time unknown</source>
        <translation>час невідомий</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="72"/>
        <source>Customer</source>
        <translation>Клієнт</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="73"/>
        <source>Account (IBAN)</source>
        <translation>Рахунок (IBAN)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="74"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="75"/>
        <source>Amount in words</source>
        <translation>Сума прописом</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="76"/>
        <source>Payment category</source>
        <translation>Категорія платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="77"/>
        <source>Purpose</source>
        <translation>Призначення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="78"/>
        <source>Status</source>
        <translation>Статус</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="79"/>
        <location filename="../../teller_app/ui/receipt.py" line="124"/>
        <source>Payment ID</source>
        <translation>Ідентифікатор платежу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="80"/>
        <location filename="../../teller_app/ui/receipt.py" line="124"/>
        <source>Stellar transaction</source>
        <translation>Транзакція Stellar</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="81"/>
        <source>Teller</source>
        <translation>Операціоніст</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="84"/>
        <source>Copy printed (Kyiv)</source>
        <translation>Копію надруковано (Київ)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="84"/>
        <source>{time} by {teller}</source>
        <translation>{time}, {teller}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="132"/>
        <location filename="../../teller_app/ui/receipt.py" line="199"/>
        <source>Receipt</source>
        <translation>Квитанція</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="135"/>
        <source>COPY</source>
        <translation>КОПІЯ</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="112"/>
        <source>Teller&apos;s signature</source>
        <translation>Підпис операціоніста</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="113"/>
        <source>Customer&apos;s signature</source>
        <translation>Підпис клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt.py" line="222"/>
        <source>Print receipt</source>
        <translation>Друк квитанції</translation>
    </message>
</context>
<context>
    <name>ReceiptDialog</name>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="35"/>
        <source>Receipt</source>
        <translation>Квитанція</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="42"/>
        <source>&amp;Print…</source>
        <translation>&amp;Друк…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="50"/>
        <source>&amp;Save as PDF…</source>
        <translation>&amp;Зберегти як PDF…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/print_job.py" line="110"/>
        <source>Looking for printers</source>
        <translation>Пошук принтерів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="75"/>
        <source>No printer is installed on this computer: the receipt can only be printed to a PDF file. Save as PDF… does the same.</source>
        <translation>На цьому комп’ютері не встановлено жодного принтера: квитанцію можна надрукувати лише у файл PDF. «Зберегти як PDF…» робить те саме.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="85"/>
        <source>Printed to {path}</source>
        <translation>Надруковано у файл {path}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="87"/>
        <source>Sent to the printer.</source>
        <translation>Надіслано на друк.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="92"/>
        <source>The receipt was not printed: {reason}. Use Save as PDF… to keep it, or print again.</source>
        <translation>Квитанцію не надруковано: {reason}. Збережіть її через «Зберегти як PDF…» або надрукуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="98"/>
        <source>Save the receipt</source>
        <translation>Зберегти квитанцію</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/receipt_dialog.py" line="100"/>
        <source>PDF files (*.pdf)</source>
        <translation>Файли PDF (*.pdf)</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="126"/>
        <source>End-of-day report</source>
        <translation>Звіт на кінець дня</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="157"/>
        <source>Print…</source>
        <translation>Друкувати…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="158"/>
        <source>Save as PDF…</source>
        <translation>Зберегти як PDF…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="175"/>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="179"/>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="183"/>
        <source>Preparing the report…</source>
        <translation>Готуємо звіт…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="206"/>
        <source>No printer is installed on this computer: the report can only be printed to a PDF file. Save as PDF… does the same.</source>
        <translation>На цьому комп’ютері не встановлено жодного принтера: звіт можна надрукувати лише у файл PDF. «Зберегти як PDF…» робить те саме.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="215"/>
        <source>Printed to {path}</source>
        <translation>Надруковано у файл {path}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="216"/>
        <source>Sent to the printer.</source>
        <translation>Надіслано на друк.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="220"/>
        <source>The report was not printed: {reason}. Use Save as PDF… to keep it, or print again.</source>
        <translation>Звіт не надруковано: {reason}. Збережіть його через «Зберегти як PDF…» або надрукуйте ще раз.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="224"/>
        <source>Save the end-of-day report</source>
        <translation>Зберегти звіт на кінець дня</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report_dialog.py" line="226"/>
        <source>PDF files (*.pdf)</source>
        <translation>Файли PDF (*.pdf)</translation>
    </message>
</context>
<context>
    <name>ReportLabels</name>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="127"/>
        <source>End-of-day till report</source>
        <translation>Звіт каси на кінець дня</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="127"/>
        <source>Bank</source>
        <translation>Банк</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="128"/>
        <source>Branch</source>
        <translation>Відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="128"/>
        <source>Teller</source>
        <translation>Операціоніст</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="128"/>
        <source>Till</source>
        <translation>Каса</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="129"/>
        <source>State</source>
        <translation>Стан</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="129"/>
        <source>Opened</source>
        <translation>Відкрито</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="129"/>
        <source>Closed</source>
        <translation>Закрито</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="130"/>
        <source>Opening count co-signed by</source>
        <translation>Перерахунок на відкритті підписав</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="131"/>
        <source>Over/short co-signed by</source>
        <translation>Надлишок/нестачу підписав</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="132"/>
        <source>Previous close</source>
        <translation>Попереднє закриття</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="133"/>
        <source>Opening difference</source>
        <translation>Розбіжність на відкритті</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="134"/>
        <source>Opening count</source>
        <translation>Перерахунок на відкритті</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="134"/>
        <source>Closing count</source>
        <translation>Перерахунок на закритті</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="135"/>
        <source>Denomination</source>
        <translation>Номінал</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="135"/>
        <source>Pieces</source>
        <translation>Кількість</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="136"/>
        <source>Sum</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="136"/>
        <source>Operations</source>
        <translation>Операції</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="136"/>
        <source>Time</source>
        <translation>Час</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="137"/>
        <source>Operation</source>
        <translation>Операція</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="137"/>
        <source>Category</source>
        <translation>Категорія</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="138"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="138"/>
        <source>Payment</source>
        <translation>Платіж</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="139"/>
        <source>Totals by category</source>
        <translation>Підсумки за категоріями</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="139"/>
        <source>Count</source>
        <translation>Кількість</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="140"/>
        <source>No operations.</source>
        <translation>Операцій немає.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="140"/>
        <source>Balance</source>
        <translation>Баланс каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="141"/>
        <source>Opening cash</source>
        <translation>Залишок на відкритті</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="141"/>
        <source>Cash in</source>
        <translation>Надійшло</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="142"/>
        <source>Cash out</source>
        <translation>Видано</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="142"/>
        <source>Expected cash</source>
        <translation>Очікувана готівка</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="143"/>
        <source>Counted cash</source>
        <translation>Готівка за перерахунком</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="143"/>
        <source>Over/short</source>
        <translation>Надлишок/нестача</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="144"/>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="144"/>
        <source>balanced</source>
        <translation>зійшлося</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="145"/>
        <source>over</source>
        <translation>надлишок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="145"/>
        <source>short</source>
        <translation>нестача</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="146"/>
        <source>Supervisor</source>
        <translation>Контролер</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="147"/>
        <source>Print the end-of-day report</source>
        <translation>Друк звіту на кінець дня</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_report.py" line="148"/>
        <source>Till {code}, {day}, page {page} of {pages}</source>
        <translation>Каса {code}, {day}, сторінка {page} з {pages}</translation>
    </message>
</context>
<context>
    <name>SearchPanel</name>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="160"/>
        <location filename="../../teller_app/ui/search_panel.py" line="84"/>
        <source>Search: surname, name, login, phone or IBAN (Ctrl+F)</source>
        <translation>Пошук: прізвище, ім’я, логін, телефон або IBAN (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/desk.py" line="162"/>
        <location filename="../../teller_app/ui/search_panel.py" line="90"/>
        <source>Show customers of one branch</source>
        <translation>Показати клієнтів одного відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/search_panel.py" line="138"/>
        <source>All branches</source>
        <translation>Усі відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/search_panel.py" line="207"/>
        <source>Filters are on.</source>
        <translation>Увімкнено фільтри.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/search_panel.py" line="209"/>
        <source>No customers match the filters.</source>
        <translation>Жоден клієнт не відповідає фільтрам.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/search_panel.py" line="212"/>
        <source>%n customer(s) match the filters</source>
        <translation>
            <numerusform>%n клієнт відповідає фільтрам</numerusform>
            <numerusform>%n клієнти відповідають фільтрам</numerusform>
            <numerusform>%n клієнтів відповідають фільтрам</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/search_panel.py" line="219"/>
        <source>No customers found. To search by IBAN, type it in full.</source>
        <translation>Клієнтів не знайдено. Щоб знайти за IBAN, введіть його повністю.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/search_panel.py" line="221"/>
        <source>No customers found.</source>
        <translation>Клієнтів не знайдено.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/search_panel.py" line="213"/>
        <source>%n customer(s)</source>
        <translation>
            <numerusform>%n клієнт</numerusform>
            <numerusform>%n клієнти</numerusform>
            <numerusform>%n клієнтів</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SessionInfo</name>
    <message>
        <location filename="../../teller_app/ui/session_info.py" line="40"/>
        <source>Head office</source>
        <translation>Головний офіс</translation>
    </message>
</context>
<context>
    <name>SessionLocker</name>
    <message>
        <location filename="../../teller_app/ui/lock_screen.py" line="198"/>
        <location filename="../../teller_app/ui/main_window_reauth.py" line="190"/>
        <source>Wrong password.</source>
        <translation>Неправильний пароль.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen.py" line="202"/>
        <source>Could not check the password: %1</source>
        <translation>Не вдалося перевірити пароль: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen.py" line="206"/>
        <source>Checking password</source>
        <translation>Перевірка пароля</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/lock_screen.py" line="227"/>
        <source>Signing in</source>
        <translation>Вхід</translation>
    </message>
</context>
<context>
    <name>SetAsideList</name>
    <message>
        <location filename="../../teller_app/ui/till_set_aside.py" line="37"/>
        <source>another payment (%1)</source>
        <translation>інший платіж (%1)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_set_aside.py" line="42"/>
        <source>%1, not in %2</source>
        <translation>%1, не в %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_set_aside.py" line="52"/>
        <source>authorized %1</source>
        <translation>дозволено %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_set_aside.py" line="55"/>
        <source>the platform confirmed %1</source>
        <translation>платформа підтвердила %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="109"/>
        <location filename="../../teller_app/ui/till_set_aside.py" line="132"/>
        <source>Co-signing closes the till without these %n payment(s), set aside: the platform confirmed them unlike their authorization, so the till does not count them.</source>
        <translation>
            <numerusform>Підписавши, ви закриєте касу без %n відкладеного платежу: платформа підтвердила його не так, як його дозволено, тож каса його не враховує.</numerusform>
            <numerusform>Підписавши, ви закриєте касу без %n відкладених платежів: платформа підтвердила їх не так, як їх дозволено, тож каса їх не враховує.</numerusform>
            <numerusform>Підписавши, ви закриєте касу без %n відкладених платежів: платформа підтвердила їх не так, як їх дозволено, тож каса їх не враховує.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="113"/>
        <source>%n payment(s) set aside by this close: the platform confirmed them unlike their authorization. The supervisor&apos;s co-sign closes the till without them.</source>
        <translation>
            <numerusform>%n платіж відкладено цим закриттям: платформа підтвердила його не так, як його дозволено. Підпис контролера закриє касу без нього.</numerusform>
            <numerusform>%n платежі відкладено цим закриттям: платформа підтвердила їх не так, як їх дозволено. Підпис контролера закриє касу без них.</numerusform>
            <numerusform>%n платежів відкладено цим закриттям: платформа підтвердила їх не так, як їх дозволено. Підпис контролера закриє касу без них.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="117"/>
        <source>The till closed without these %n payment(s), set aside.</source>
        <translation>
            <numerusform>Касу закрито без %n відкладеного платежу.</numerusform>
            <numerusform>Касу закрито без %n відкладених платежів.</numerusform>
            <numerusform>Касу закрито без %n відкладених платежів.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="118"/>
        <source>%n payment(s) confirmed on the platform unlike their authorization: the till cannot count them. The close needs a reason and a supervisor&apos;s co-sign, and sets them aside.</source>
        <translation>
            <numerusform>%n платіж підтверджено на платформі не так, як його дозволено: каса не може його врахувати. Для закриття потрібні причина й підпис контролера; закриття відкладе його.</numerusform>
            <numerusform>%n платежі підтверджено на платформі не так, як їх дозволено: каса не може їх врахувати. Для закриття потрібні причина й підпис контролера; закриття відкладе їх.</numerusform>
            <numerusform>%n платежів підтверджено на платформі не так, як їх дозволено: каса не може їх врахувати. Для закриття потрібні причина й підпис контролера; закриття відкладе їх.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_set_aside.py" line="130"/>
        <source>… and %n more, listed in the close dialog.</source>
        <translation>
            <numerusform>… і ще %n — див. перелік у вікні закриття каси.</numerusform>
            <numerusform>… і ще %n — див. перелік у вікні закриття каси.</numerusform>
            <numerusform>… і ще %n — див. перелік у вікні закриття каси.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettingsChange</name>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="25"/>
        <source>Approval policy</source>
        <translation>Політика погоджень</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="27"/>
        <source>Cash limits</source>
        <translation>Касові ліміти</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="34"/>
        <source>disabling or re-enabling a customer</source>
        <translation>вимкнення або повторне увімкнення клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="36"/>
        <source>lowering the KYC level</source>
        <translation>зниження рівня KYC</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="38"/>
        <source>raising the KYC level</source>
        <translation>підвищення рівня KYC</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="39"/>
        <source>raising the balance cap</source>
        <translation>підвищення дозволеного балансу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="41"/>
        <source>every change to a customer</source>
        <translation>будь-яка зміна даних клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="43"/>
        <source>a new phone number</source>
        <translation>новий номер телефону</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="45"/>
        <source>moving a customer to another branch</source>
        <translation>перенесення клієнта до іншого відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="47"/>
        <source>changing the segment</source>
        <translation>зміна сегмента</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="67"/>
        <source>one customer per phone number: on</source>
        <translation>один клієнт на номер телефону: увімкнено</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="69"/>
        <source>one customer per phone number: off (shared phones allowed)</source>
        <translation>один клієнт на номер телефону: вимкнено (спільні номери дозволено)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="72"/>
        <source>no approval any more for: %1</source>
        <translation>погодження більше не потрібне для: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="77"/>
        <source>statuses no longer needing approval: %1</source>
        <translation>статуси, які більше не потребують погодження: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="82"/>
        <source>cash approval threshold: %1 → %2</source>
        <translation>поріг погодження касових операцій: %1 → %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="87"/>
        <source>cash currency: %1 → %2</source>
        <translation>валюта каси: %1 → %2</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="91"/>
        <source>approval now needed for: %1</source>
        <translation>тепер потрібне погодження для: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="94"/>
        <source>statuses now needing approval: %1</source>
        <translation>статуси, які тепер потребують погодження: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="102"/>
        <source>a teller&apos;s daily cash limit</source>
        <translation>денний касовий ліміт операціоніста</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="104"/>
        <source>a teller&apos;s daily cash without approval</source>
        <translation>денна сума готівки операціоніста без погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="107"/>
        <source>a customer&apos;s daily cash before approval</source>
        <translation>денна сума готівки клієнта до погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="110"/>
        <source>the over/short a teller may close with alone</source>
        <translation>надлишок/нестача, з якими операціоніст може закрити касу сам</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="130"/>
        <source>%1: %2 → %3</source>
        <translation>%1: %2 → %3</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings_change_text.py" line="149"/>
        <source>no change to what is in force</source>
        <translation>без змін до чинних налаштувань</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="194"/>
        <source>Teller — settings</source>
        <translation>Teller — налаштування</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="195"/>
        <source>This desk</source>
        <translation>Це робоче місце</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="196"/>
        <source>The bank&apos;s settings (read-only)</source>
        <translation>Налаштування банку (лише перегляд)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="197"/>
        <source>&amp;Language:</source>
        <translation>&amp;Мова:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="197"/>
        <source>&amp;Theme:</source>
        <translation>&amp;Тема:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="198"/>
        <source>S&amp;ync every (minutes):</source>
        <translation>&amp;Синхронізувати кожні (хвилин):</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="198"/>
        <source>Lock after &amp;idle (minutes):</source>
        <translation>&amp;Блокувати після бездіяльності (хвилин):</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="203"/>
        <source>Cash needing a supervisor above:</source>
        <translation>Касові операції, що потребують контролера, понад:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="204"/>
        <source>Changes needing a second person:</source>
        <translation>Зміни, що потребують другої особи:</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="210"/>
        <source>The main window, its tabs and panels switch at once; other open windows (profiles, account history, reports) when they are opened again.</source>
        <translation>Головне вікно, його вкладки й панелі перемикаються одразу; інші відкриті вікна (профілі, історія рахунку, звіти) — коли їх відкрити знову.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="212"/>
        <source>&amp;Sounds</source>
        <translation>&amp;Звуки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="213"/>
        <source>&amp;Notifications</source>
        <translation>Сп&amp;овіщення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="215"/>
        <source>The profile&apos;s language</source>
        <translation>Мова профілю</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="217"/>
        <source>Follow the system</source>
        <translation>Як у системі</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="217"/>
        <source>Light</source>
        <translation>Світла</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="217"/>
        <source>Dark</source>
        <translation>Темна</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="258"/>
        <source>This computer&apos;s policy locks the desk after at most {minutes} minutes idle.</source>
        <translation>Політика цього комп’ютера блокує робоче місце щонайпізніше після {minutes} хв бездіяльності.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="310"/>
        <source>From the bank&apos;s Teller Hub.</source>
        <translation>З Teller Hub банку.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="316"/>
        <source>From this desk&apos;s profile: the Teller Hub did not give a policy.</source>
        <translation>З профілю цього робочого місця: Teller Hub не надав політики.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="338"/>
        <source>every change to a customer</source>
        <translation>будь-яка зміна даних клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="341"/>
        <source>setting or leaving the status %1</source>
        <translation>встановлення або зняття статусу %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="346"/>
        <source>raising the KYC level</source>
        <translation>підвищення рівня KYC</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="348"/>
        <source>raising the balance cap</source>
        <translation>підвищення дозволеного балансу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="350"/>
        <source>a new phone number</source>
        <translation>новий номер телефону</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="352"/>
        <source>moving a customer to another branch</source>
        <translation>перенесення клієнта до іншого відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="354"/>
        <source>changing the segment</source>
        <translation>зміна сегмента</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="360"/>
        <source>disabling a customer</source>
        <translation>вимкнення клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="361"/>
        <source>blocking or closing</source>
        <translation>блокування чи закриття</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/settings.py" line="362"/>
        <source>lowering the KYC level</source>
        <translation>зниження рівня KYC</translation>
    </message>
</context>
<context>
    <name>ShortcutsSheet</name>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="38"/>
        <source>Search</source>
        <translation>Пошук</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="39"/>
        <source>Customer card</source>
        <translation>Картка клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="40"/>
        <source>Customer form</source>
        <translation>Форма клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="45"/>
        <source>Open the selected customer&apos;s card</source>
        <translation>Відкрити картку вибраного клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="48"/>
        <source>From the search box to the results</source>
        <translation>Із поля пошуку до результатів</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="51"/>
        <source>Clear the search box; from the results, back to it</source>
        <translation>Очистити поле пошуку; з результатів — повернутися до нього</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="52"/>
        <source>Refresh</source>
        <translation>Оновити</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="53"/>
        <source>Edit the customer</source>
        <translation>Редагувати клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="54"/>
        <source>Back to the search</source>
        <translation>Назад до пошуку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="55"/>
        <source>Account history</source>
        <translation>Історія рахунку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="57"/>
        <source>Save</source>
        <translation>Зберегти</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="59"/>
        <source>Cancel</source>
        <translation>Скасувати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="96"/>
        <source>Window</source>
        <translation>Вікно</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="113"/>
        <location filename="../../teller_app/ui/shortcuts.py" line="117"/>
        <source>Keyboard shortcuts</source>
        <translation>Клавіатурні скорочення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="118"/>
        <source>Action</source>
        <translation>Дія</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="118"/>
        <source>Where</source>
        <translation>Де</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/shortcuts.py" line="119"/>
        <source>Keys</source>
        <translation>Клавіші</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <location filename="../../teller_app/ui/keyring_note.py" line="19"/>
        <source>No OS keyring is available: the password is kept for this session only.</source>
        <translation>Системне сховище паролів недоступне: пароль зберігатиметься лише до кінця сеансу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/keyring_note.py" line="22"/>
        <source>The OS keyring did not answer in time: the password is kept for this session only.</source>
        <translation>Системне сховище паролів не відповіло вчасно: пароль зберігатиметься лише до кінця сеансу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/keyring_note.py" line="25"/>
        <source>The only keyring found ({name}) keeps secrets in a plain file, so it is not used: the password is kept for this session only.</source>
        <translation>Знайдене сховище паролів ({name}) зберігає секрети у звичайному файлі, тому воно не використовується: пароль зберігатиметься лише до кінця сеансу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/keyring_note.py" line="29"/>
        <source>The OS keyring reported an error ({error}): the password is kept for this session only.</source>
        <translation>Системне сховище паролів повідомило про помилку ({error}): пароль зберігатиметься лише до кінця сеансу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/keyring_note.py" line="31"/>
        <source>The OS keyring cannot be used ({reason}): the password is kept for this session only.</source>
        <translation>Системним сховищем паролів неможливо скористатися ({reason}): пароль зберігатиметься лише до кінця сеансу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="61"/>
        <source>Teller — sign in</source>
        <translation>Teller — вхід</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/profile_manager_sign_in.py" line="41"/>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="245"/>
        <source>Sandbox (demo data, not a real bank)</source>
        <translation>Пісочниця (демодані, не справжній банк)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_demo.py" line="70"/>
        <source>Sandbox — demo accounts</source>
        <translation>Пісочниця — демонстраційні облікові записи</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_demo.py" line="75"/>
        <source>This is the built-in sandbox: a simulated platform with made-up customers. Choose an employee to fill the form.</source>
        <translation>Це вбудована пісочниця: імітація платформи з вигаданими клієнтами. Виберіть працівника, щоб заповнити форму.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="74"/>
        <source>name@bank.ua</source>
        <translation>name@bank.ua</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="257"/>
        <source>Teller Hub password</source>
        <translation>Пароль Teller Hub</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="78"/>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="257"/>
        <source>Password</source>
        <translation>Пароль</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="79"/>
        <source>Remember on this workstation</source>
        <translation>Запам’ятати на цьому робочому місці</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="91"/>
        <source>Sign in</source>
        <translation>Увійти</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="95"/>
        <source>Quit</source>
        <translation>Закрити програму</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="100"/>
        <source>Platform</source>
        <translation>Платформа</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="101"/>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="220"/>
        <source>Enter your e-mail and password.</source>
        <translation>Введіть e-mail і пароль.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="234"/>
        <source>Signing in…</source>
        <translation>Вхід…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_demo.py" line="94"/>
        <source>head office</source>
        <translation>головний офіс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="268"/>
        <source>Opening the keyring…</source>
        <translation>Відкриття сховища паролів…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_remember.py" line="54"/>
        <source>Remembered on this workstation: leave empty to sign in</source>
        <translation>Запам’ятовано на цьому робочому місці: залиште порожнім, щоб увійти</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/sign_in_dialog.py" line="105"/>
        <source>&amp;Profiles…</source>
        <translation>&amp;Профілі…</translation>
    </message>
</context>
<context>
    <name>Supervision</name>
    <message>
        <location filename="../../teller_app/ui/supervision_base.py" line="31"/>
        <source>The audit trail could not be written.</source>
        <translation>Не вдалося записати журнал аудиту.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision.py" line="166"/>
        <location filename="../../teller_app/ui/supervision.py" line="359"/>
        <source>Audit trail</source>
        <translation>Журнал аудиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision.py" line="173"/>
        <source>Approvals</source>
        <translation>Погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="140"/>
        <source>A new alert is waiting.</source>
        <translation>Надійшло нове сповіщення.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="141"/>
        <source>A new request is waiting.</source>
        <translation>Надійшов новий запит.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/supervision.py" line="375"/>
        <source>%n new change request(s) to decide</source>
        <translation>
            <numerusform>%n новий запит на зміну очікує рішення</numerusform>
            <numerusform>%n нові запити на зміну очікують рішення</numerusform>
            <numerusform>%n нових запитів на зміну очікують рішення</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="130"/>
        <source>Teller</source>
        <translation>Teller</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/card_actions.py" line="34"/>
        <source>Awaiting approval: %1</source>
        <translation>Очікує погодження: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/card_actions.py" line="40"/>
        <source>Awaiting approval: %1 (filed by %2)</source>
        <translation>Очікує погодження: %1 (автор запиту: %2)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/card_actions.py" line="140"/>
        <source>Withdraw request</source>
        <translation>Відкликати запит</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="97"/>
        <source>&amp;Enable customer</source>
        <translation>Увімк&amp;нути клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="98"/>
        <source>&amp;Disable customer</source>
        <translation>Вимк&amp;нути клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="103"/>
        <source>&amp;Request a change…</source>
        <translation>&amp;Запит на зміну…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="106"/>
        <source>Cash deposit…</source>
        <translation>Внесення готівки…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="107"/>
        <source>Cash withdrawal…</source>
        <translation>Видача готівки…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="178"/>
        <source>Reading the customer&apos;s requests</source>
        <translation>Читання запитів щодо клієнта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="232"/>
        <source>Saving</source>
        <translation>Збереження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="255"/>
        <source>This request had already reached the Teller Hub and is no longer waiting for approval.</source>
        <translation>Цей запит уже надійшов до Teller Hub і більше не чекає на погодження.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="264"/>
        <source>Sent to a supervisor for approval.</source>
        <translation>Надіслано контролеру на погодження.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="271"/>
        <source>The Teller Hub did not answer, so it is not known whether the request was filed. Send it again without changing it: the same request is sent, never a second one.</source>
        <translation>Teller Hub не відповів, тому невідомо, чи запит подано. Надішліть його ще раз без змін: буде надіслано той самий запит, другого не буде.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="283"/>
        <source>Sending the request</source>
        <translation>Надсилання запиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="312"/>
        <source>Supervisor deciding</source>
        <translation>Надсилання рішення контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="336"/>
        <source>Withdrawing</source>
        <translation>Відкликання</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cash.py" line="89"/>
        <source>Preparing the cash desk</source>
        <translation>Підготовка каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_cards.py" line="116"/>
        <source>Account history…</source>
        <translation>Історія рахунку…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="39"/>
        <source>Your change request was approved and applied.</source>
        <translation>Ваш запит на зміну погоджено й застосовано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="42"/>
        <source>Your change request was approved.</source>
        <translation>Ваш запит на зміну погоджено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="45"/>
        <source>Your change request was approved, waiting to be applied.</source>
        <translation>Ваш запит на зміну погоджено, він чекає на застосування.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="48"/>
        <source>Your change request was rejected.</source>
        <translation>Ваш запит на зміну відхилено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="50"/>
        <source>Your change request was approved, but the platform refused it.</source>
        <translation>Ваш запит на зміну погоджено, але платформа його відхилила.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="67"/>
        <source>A supervisor approved your cash operation and it was confirmed.</source>
        <translation>Контролер погодив вашу касову операцію, і її підтверджено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="70"/>
        <source>A supervisor approved your cash operation.</source>
        <translation>Контролер погодив вашу касову операцію.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="72"/>
        <source>A supervisor approved your cash operation; it is waiting to be confirmed.</source>
        <translation>Контролер погодив вашу касову операцію; вона чекає на підтвердження.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="75"/>
        <source>Your cash operation was not approved.</source>
        <translation>Вашу касову операцію не погоджено.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="77"/>
        <source>A supervisor approved your cash operation, but it could not be confirmed.</source>
        <translation>Контролер погодив вашу касову операцію, але підтвердити її не вдалося.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="82"/>
        <source>Your cash confirmation request ended without being decided.</source>
        <translation>Ваш запит на підтвердження касової операції завершився без рішення.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="91"/>
        <source>Your request ended without being decided.</source>
        <translation>Ваш запит завершився без рішення.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="92"/>
        <source>Your change request was withdrawn.</source>
        <translation>Ваш запит на зміну відкликано.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="99"/>
        <source>Another customer has the same phone number as %1</source>
        <translation>Інший клієнт має такий самий номер телефону, як %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="105"/>
        <source>There is news about till work.</source>
        <translation>Є новини щодо касових операцій.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision.py" line="162"/>
        <source>&amp;Lock the session</source>
        <translation>За&amp;блокувати сеанс</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision.py" line="163"/>
        <source>Approvals &amp;inbox</source>
        <translation>В&amp;хідні запити на погодження</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision.py" line="164"/>
        <source>&amp;Audit trail</source>
        <translation>&amp;Журнал аудиту</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision.py" line="174"/>
        <source>Approvals (%1)</source>
        <translation>Погодження (%1)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision.py" line="358"/>
        <source>Reading branches</source>
        <translation>Читання відділень</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/supervision_notices.py" line="101"/>
        <source>Changed without approval: %1</source>
        <translation>Змінено без погодження: %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="51"/>
        <source>%1 asks to hand %2 from till %3 back to the vault: approve or reject it in %4.</source>
        <translation>%1 просить повернути %2 з каси %3 до сховища: погодьте чи відхиліть запит (%4).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="54"/>
        <source>%1 asks for %2 from the vault to till %3: approve or reject it in %4.</source>
        <translation>%1 просить %2 зі сховища до каси %3: погодьте чи відхиліть запит (%4).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="57"/>
        <source>%1 opened till %2 with %3: the opening count waits for your co-sign in %4.</source>
        <translation>Каса %2 (%1) відкривається із сумою %3: перерахунок на відкритті чекає на ваш підпис (%4).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="61"/>
        <source>%1 is closing till %2 with over/short %3: the close waits for your co-sign in %4.</source>
        <translation>%1 закриває касу %2, надлишок/нестача %3: закриття чекає на ваш підпис (%4).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="65"/>
        <source>%1 counted %2 in the vault: the count waits for a second supervisor&apos;s co-sign in %3.</source>
        <translation>Перерахунок сховища (%1): %2; він чекає на підпис другого контролера (%3).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="68"/>
        <source>Till work waits for a supervisor: see %1.</source>
        <translation>Касова операція чекає на контролера: див. %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="76"/>
        <source>A supervisor approved your vault transfer of %1.</source>
        <translation>Контролер погодив вашу передачу між касою і сховищем на суму %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="79"/>
        <source>A supervisor rejected your vault transfer of %1.</source>
        <translation>Контролер відхилив вашу передачу між касою і сховищем на суму %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="82"/>
        <source>A newer count of the vault replaced your count of %1: it no longer waits for a co-sign.</source>
        <translation>Новіший перерахунок сховища замінив ваш перерахунок на суму %1: він більше не чекає на підпис.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="87"/>
        <source>A supervisor co-signed your till&apos;s opening.</source>
        <translation>Контролер підписав відкриття вашої каси.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="89"/>
        <source>A supervisor co-signed your till&apos;s close.</source>
        <translation>Контролер підписав закриття вашої каси.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_live.py" line="91"/>
        <source>A supervisor co-signed your vault count of %1.</source>
        <translation>Контролер підписав ваш перерахунок сховища на суму %1.</translation>
    </message>
</context>
<context>
    <name>TillCloseDialog</name>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="67"/>
        <location filename="../../teller_app/ui/till_close.py" line="89"/>
        <source>Close the till</source>
        <translation>Закрити касу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="91"/>
        <source>End-of-day report…</source>
        <translation>Звіт на кінець дня…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="93"/>
        <source>Check the co-sign</source>
        <translation>Перевірити підпис контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="94"/>
        <source>Supervisor co-signs here…</source>
        <translation>Контролер підписує тут…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="99"/>
        <source>Cancel</source>
        <translation>Скасувати</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="112"/>
        <source>Till</source>
        <translation>Каса</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="113"/>
        <source>Expected cash</source>
        <translation>Очікувана готівка</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="115"/>
        <source>Over/short</source>
        <translation>Надлишок/нестача</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="117"/>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="147"/>
        <source>balanced</source>
        <translation>зійшлося</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="147"/>
        <source>over</source>
        <translation>надлишок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="148"/>
        <source>short</source>
        <translation>нестача</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="151"/>
        <source>The count differs from the expected cash: give the reason.</source>
        <translation>Перерахунок не збігається з очікуваною готівкою: вкажіть причину.</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_close.py" line="181"/>
        <source>Waiting for a supervisor: %n vault transfer(s) ({transfers}). The till closes only once a supervisor has approved or rejected each one; you may count the drawer meanwhile.</source>
        <translation>
            <numerusform>Чекає на контролера: %n передача зі сховищем ({transfers}). Каса закриється лише тоді, коли контролер погодить або відхилить кожну; тим часом ви можете перерахувати готівку.</numerusform>
            <numerusform>Чекають на контролера: %n передачі зі сховищем ({transfers}). Каса закриється лише тоді, коли контролер погодить або відхилить кожну; тим часом ви можете перерахувати готівку.</numerusform>
            <numerusform>Чекають на контролера: %n передач зі сховищем ({transfers}). Каса закриється лише тоді, коли контролер погодить або відхилить кожну; тим часом ви можете перерахувати готівку.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="215"/>
        <source>Reading the till</source>
        <translation>Читання стану каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="234"/>
        <location filename="../../teller_app/ui/till_close.py" line="284"/>
        <location filename="../../teller_app/ui/till_close.py" line="307"/>
        <source>Done</source>
        <translation>Готово</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="235"/>
        <source>Over/short {amount}: the close needs a supervisor&apos;s co-sign. A supervisor co-signs from the branch cash position or here; then press Check the co-sign. Until then the till stays open (a new count needs the co-sign too).</source>
        <translation>Надлишок/нестача {amount}: закриття потребує підпису контролера. Контролер підписує його в касовій позиції відділення або тут; потім натисніть «Перевірити підпис контролера». Доти каса залишається відкритою (новий перерахунок теж потребує підпису).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="252"/>
        <source>The close still waits for a supervisor&apos;s co-sign.</source>
        <translation>Закриття досі очікує підпису контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="257"/>
        <source>Checking the till</source>
        <translation>Перевірка каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="266"/>
        <source>Co-sign the close of till {code}: counted {counted}, expected {expected}, over/short {diff}. Reason: {reason}</source>
        <translation>Підписати закриття каси {code}: перераховано {counted}, очікувалося {expected}, надлишок/нестача {diff}. Причина: {reason}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="279"/>
        <source>Supervisor co-signing</source>
        <translation>Підпис контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="312"/>
        <source>The till is closed.</source>
        <translation>Касу закрито.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="313"/>
        <source>The till is closed ({state}).</source>
        <translation>Касу закрито ({state}).</translation>
    </message>
    <message numerus="yes">
        <location filename="../../teller_app/ui/till_close.py" line="315"/>
        <source>%n cash draft(s) never confirmed were voided.</source>
        <translation>
            <numerusform>%n непідтверджену чернетку касової операції анульовано.</numerusform>
            <numerusform>%n непідтверджені чернетки касових операцій анульовано.</numerusform>
            <numerusform>%n непідтверджених чернеток касових операцій анульовано.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_close.py" line="173"/>
        <source>Closing the till</source>
        <translation>Закриття каси</translation>
    </message>
</context>
<context>
    <name>TillDesk</name>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="95"/>
        <source>T&amp;ill</source>
        <translation>Кас&amp;а</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="96"/>
        <source>&amp;Open the till…</source>
        <translation>&amp;Відкрити касу…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="97"/>
        <source>Vault &amp;transfer…</source>
        <translation>&amp;Передача зі сховища/до сховища…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="98"/>
        <source>&amp;Close the till…</source>
        <translation>&amp;Закрити касу…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="99"/>
        <source>End-of-day &amp;report…</source>
        <translation>Звіт на кінець &amp;дня…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="100"/>
        <source>Branch cash &amp;position…</source>
        <translation>&amp;Касова позиція відділення…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="107"/>
        <source>The end-of-day report opens after you close your till in this window. The report of a till closed before the desk was restarted is not offered here.</source>
        <translation>Звіт на кінець дня відкривається після того, як ви закриєте свою касу в цьому вікні. Звіт каси, закритої до перезапуску Teller, тут не пропонується.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="334"/>
        <source>Reading the till</source>
        <translation>Читання стану каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_desk.py" line="357"/>
        <source>Reading the report</source>
        <translation>Читання звіту</translation>
    </message>
</context>
<context>
    <name>TillOpenDialog</name>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="225"/>
        <location filename="../../teller_app/ui/till_dialog.py" line="235"/>
        <source>Open the till</source>
        <translation>Відкрити касу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="237"/>
        <source>Check the co-sign</source>
        <translation>Перевірити підпис контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="238"/>
        <source>Supervisor co-signs here…</source>
        <translation>Контролер підписує тут…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="255"/>
        <source>Till</source>
        <translation>Каса</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="277"/>
        <source>Name the till (for example T1).</source>
        <translation>Вкажіть назву каси (наприклад, T1).</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="280"/>
        <source>Opening the till</source>
        <translation>Відкриття каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="285"/>
        <source>Checking the till</source>
        <translation>Перевірка каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="297"/>
        <source>No till is open.</source>
        <translation>Жодна каса не відкрита.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="306"/>
        <source>This is the till&apos;s first opening: a supervisor co-signs its count ({count}) from the branch cash position. Then press Check the co-sign.</source>
        <translation>Це перше відкриття каси: контролер підписує її перерахунок ({count}) у касовій позиції відділення. Потім натисніть «Перевірити підпис контролера».</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="310"/>
        <source>The count ({count}) differs from the last close ({previous}): a supervisor co-signs it from the branch cash position. Then press Check the co-sign.</source>
        <translation>Перерахунок ({count}) відрізняється від останнього закриття ({previous}): контролер підписує його в касовій позиції відділення. Потім натисніть «Перевірити підпис контролера».</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="331"/>
        <source>Till {code} is open with {amount}.</source>
        <translation>Касу {code} відкрито із залишком {amount}.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="347"/>
        <source>Co-sign the opening count of till {code}: {amount}.</source>
        <translation>Підписати перерахунок під час відкриття каси {code}: {amount}.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_dialog.py" line="350"/>
        <source>Supervisor co-signing</source>
        <translation>Підпис контролера</translation>
    </message>
</context>
<context>
    <name>TillText</name>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="20"/>
        <source>You already hold another till: close it first.</source>
        <translation>За вами вже закріплена інша каса: спершу закрийте її.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="21"/>
        <source>This till is open at another desk.</source>
        <translation>Цю касу відкрито на іншому робочому місці.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="22"/>
        <source>Your till is open at another desk: close it there, or wait until that desk lets it go.</source>
        <translation>Вашу касу відкрито на іншому робочому місці: закрийте її там або зачекайте, доки те місце її звільнить.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="24"/>
        <source>A teller may not co-sign their own count.</source>
        <translation>Операціоніст не може підписувати власний перерахунок.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="25"/>
        <source>This till has nothing to co-sign.</source>
        <translation>Ця каса не потребує підпису.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="26"/>
        <source>This payment is counted in another till.</source>
        <translation>Цей платіж уже враховано в іншій касі.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="27"/>
        <source>The till waits for a supervisor to co-sign its opening count.</source>
        <translation>Каса чекає, доки контролер підпише перерахунок на відкритті.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="29"/>
        <source>The till&apos;s close waits for a supervisor to co-sign its over/short.</source>
        <translation>Закриття каси чекає, доки контролер підпише надлишок/нестачу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="31"/>
        <source>The teller counted again since you looked: read the till again before co-signing.</source>
        <translation>Операціоніст перерахував ще раз, відколи ви дивилися: перечитайте касу, перш ніж підписувати.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="34"/>
        <source>A different vault count was already recorded under this count&apos;s reference, and a recorded count never changes: save the count again to record it as a new count.</source>
        <translation>Під номером цього перерахунку вже записано інший перерахунок сховища, а записаний перерахунок не змінюється: збережіть перерахунок ще раз, щоб записати його як новий.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="38"/>
        <source>You counted the vault yourself: a second supervisor co-signs the count.</source>
        <translation>Ви самі перерахували сховище: перерахунок підписує інший контролер.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="40"/>
        <source>The till does not hold that much.</source>
        <translation>У касі немає такої суми.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="41"/>
        <source>Cash moves in steps of 0.10 UAH, the till&apos;s smallest coin.</source>
        <translation>Готівка переміщується сумами, кратними 0,10 грн — найменшій монеті каси.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="44"/>
        <source>A payment authorized on this till was confirmed on the platform unlike its authorization, so the till cannot count it: give the reason, and a supervisor co-signs the close without it.</source>
        <translation>Платіж, дозволений у цій касі, підтверджено на платформі не так, як його дозволено, тож каса не може його врахувати: вкажіть причину, і контролер підпише закриття без нього.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="48"/>
        <source>This payment&apos;s draft was voided, so no till counts it: a supervisor looks at its confirm.</source>
        <translation>Чернетку цього платежу анульовано, тож жодна каса його не враховує: його підтвердження розгляне контролер.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="50"/>
        <source>This payment was authorized on another till session, so this till does not count it: a supervisor looks at it.</source>
        <translation>Цей платіж дозволено в іншій касовій зміні, тож ця каса його не враховує: його розгляне контролер.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="53"/>
        <source>A teller may not approve their own transfer.</source>
        <translation>Операціоніст не може погоджувати власну передачу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="54"/>
        <source>This transfer has already been decided.</source>
        <translation>Щодо цієї передачі вже ухвалено рішення.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="55"/>
        <source>The till is closed.</source>
        <translation>Касу закрито.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="56"/>
        <source>The vault does not hold that much.</source>
        <translation>У сховищі немає такої суми.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="57"/>
        <source>A vault transfer still waits for a supervisor: it must be decided before the till closes.</source>
        <translation>Передача зі сховища чи до сховища ще чекає на контролера: рішення має бути ухвалено до закриття каси.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="59"/>
        <source>The count differs from what is expected: give a reason for the over or short.</source>
        <translation>Перелічена сума відрізняється від очікуваної: вкажіть причину надлишку чи нестачі.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="61"/>
        <source>A cash draft on this till may still be confirmed (a confirm sent moments ago, or a supervisor&apos;s approval being carried out): close the till again in a minute.</source>
        <translation>Чернетку готівкового платежу цієї каси ще можуть підтвердити (підтвердження, надіслане щойно, або погодження контролера, яке виконується): закрийте касу ще раз за хвилину.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="65"/>
        <source>A confirm of this draft was sent moments ago and may still reach the platform, so it is not voided yet. Try again in a minute: a draft still not confirmed then can be voided.</source>
        <translation>Підтвердження цієї чернетки надіслано щойно, і воно ще може дійти до платформи, тому її поки не анульовано. Спробуйте ще раз за хвилину: чернетку, досі не підтверджену, тоді можна буде анулювати.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="74"/>
        <source>the amount is above the supervisor threshold</source>
        <translation>сума перевищує поріг контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="76"/>
        <source>your cash total today passes the supervisor threshold (amounts are added up across customers and branches)</source>
        <translation>ваша сума готівкових операцій за сьогодні перевищує поріг контролера (суми додаються за всіма клієнтами й відділеннями)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="79"/>
        <source>the customer&apos;s cash total today passes the threshold</source>
        <translation>сума готівкових операцій клієнта за сьогодні перевищує поріг</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="82"/>
        <source>the cash draft was never authorized at the hub</source>
        <translation>чернетку касової операції не було дозволено в Teller Hub</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="84"/>
        <source>the cash draft was voided at the hub</source>
        <translation>чернетку касової операції анульовано в Teller Hub</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="85"/>
        <source>the amount differs from the one authorized</source>
        <translation>сума відрізняється від дозволеної</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="87"/>
        <source>the amount has more decimal places than the currency allows</source>
        <translation>сума має більше знаків після коми, ніж дозволяє валюта</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="89"/>
        <source>the money did not move through the branch&apos;s till account</source>
        <translation>гроші не пройшли через касовий рахунок відділення</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="91"/>
        <source>the currency is not the till&apos;s</source>
        <translation>валюта не є валютою каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="93"/>
        <source>the customer&apos;s status stops cash (blocked, closed)</source>
        <translation>статус клієнта не дозволяє касових операцій (заблокований, закритий)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="95"/>
        <source>the customer&apos;s status could not be read on the platform</source>
        <translation>статус клієнта не вдалося прочитати на платформі</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="97"/>
        <source>the payment&apos;s category or accounts could not be read on the platform, so whether it is cash is not known</source>
        <translation>категорію або рахунки платежу не вдалося прочитати на платформі, тож невідомо, чи це готівка</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="105"/>
        <source>the bank&apos;s rules</source>
        <translation>правила банку</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="106"/>
        <source>Yes: {reasons}.</source>
        <translation>Так: {reasons}.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="114"/>
        <source>The draft was voided: it can never be confirmed.</source>
        <translation>Чернетку анульовано: її ніколи не можна підтвердити.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="115"/>
        <source>The payment is no longer a draft.</source>
        <translation>Платіж уже не є чернеткою.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="116"/>
        <source>This is not a cash deposit or withdrawal.</source>
        <translation>Це не внесення і не видача готівки.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="117"/>
        <source>The customer is not in your branch.</source>
        <translation>Клієнт не належить до вашого відділення.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="118"/>
        <source>Open your till first: Till menu, Open the till.</source>
        <translation>Спершу відкрийте касу: меню «Каса», «Відкрити касу».</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="120"/>
        <source>This draft belongs to another teller.</source>
        <translation>Ця чернетка належить іншому операціоністу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="121"/>
        <source>Your till does not hold that much cash.</source>
        <translation>У вашій касі немає стільки готівки.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="122"/>
        <source>Your daily cash limit would be passed.</source>
        <translation>Буде перевищено ваш денний ліміт готівкових операцій.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="123"/>
        <source>The customer is blocked or closed at the bank: no cash deposit or withdrawal until their status is changed back.</source>
        <translation>Клієнта в банку заблоковано або закрито: внесення й видача готівки неможливі, доки статус не змінять назад.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="126"/>
        <source>The Teller Hub has not checked this draft: check it again before asking a supervisor.</source>
        <translation>Teller Hub не перевіряв цю чернетку: перевірте її ще раз, перш ніж звертатися до контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="128"/>
        <source>You handle this cash yourself: another supervisor must approve it.</source>
        <translation>Ви самі працюєте з цією готівкою: погодити операцію має інший контролер.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="130"/>
        <source>The draft is not this customer&apos;s.</source>
        <translation>Чернетка не належить цьому клієнтові.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="131"/>
        <source>The draft is in another branch.</source>
        <translation>Чернетка належить іншому відділенню.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="132"/>
        <source>The amount differs from the draft&apos;s on the platform.</source>
        <translation>Сума відрізняється від суми чернетки на платформі.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="134"/>
        <source>This customer is not in your branch.</source>
        <translation>Цей клієнт не належить до вашого відділення.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="135"/>
        <source>Only a head-office administrator may change this.</source>
        <translation>Змінювати це може лише адміністратор головного офісу.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="137"/>
        <source>Your role may read here but not change anything.</source>
        <translation>Ваша роль дозволяє тут лише переглядати, але нічого не змінювати.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="143"/>
        <source>The Teller Hub refused: {message}</source>
        <translation>Teller Hub відмовив: {message}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="150"/>
        <source>{n} kop. coin</source>
        <translation>Монета {n} коп.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="154"/>
        <source>{n} UAH note</source>
        <translation>Банкнота {n} грн</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="155"/>
        <source>{n} UAH coin</source>
        <translation>Монета {n} грн</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="160"/>
        <source>Cash deposit</source>
        <translation>Внесення готівки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="161"/>
        <source>Cash withdrawal</source>
        <translation>Видача готівки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="162"/>
        <source>From the vault</source>
        <translation>Зі сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="163"/>
        <source>To the vault</source>
        <translation>До сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="171"/>
        <source>{amount} from the vault</source>
        <translation>{amount} зі сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="172"/>
        <source>{amount} to the vault</source>
        <translation>{amount} до сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="178"/>
        <source>Voided (never confirmed)</source>
        <translation>Анульовано (не буде підтверджено)</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="193"/>
        <source>Waiting for a supervisor&apos;s co-sign</source>
        <translation>Очікує підпису контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="194"/>
        <source>Open</source>
        <translation>Відкрита</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="195"/>
        <source>Closing: waiting for a supervisor&apos;s co-sign of the over/short</source>
        <translation>Закриття: очікує підпису контролера на надлишок/нестачу</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="197"/>
        <source>Closed</source>
        <translation>Закрита</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="198"/>
        <source>Not closed — ask a supervisor</source>
        <translation>Не закрита — зверніться до контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="203"/>
        <source>The till is not closed: the Teller Hub answered with a state this desk does not know. Ask a supervisor before you leave.</source>
        <translation>Касу не закрито: Teller Hub повідомив стан, якого це робоче місце не знає. Перш ніж піти, зверніться до контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_text.py" line="210"/>
        <source>The till is not open: the Teller Hub answered with a state this desk does not know. Ask a supervisor.</source>
        <translation>Каса не відкрита: Teller Hub повідомив стан, якого це робоче місце не знає. Зверніться до контролера.</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="47"/>
        <source>Vault transfer</source>
        <translation>Передача готівки</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="52"/>
        <source>From the vault to my till</source>
        <translation>Зі сховища до моєї каси</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="53"/>
        <source>From my till to the vault</source>
        <translation>З моєї каси до сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="73"/>
        <source>Ask a supervisor</source>
        <translation>Запросити контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="81"/>
        <source>Direction</source>
        <translation>Напрям</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="83"/>
        <source>Amount</source>
        <translation>Сума</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="94"/>
        <source>Type a positive amount with at most 2 decimals.</source>
        <translation>Введіть додатну суму з не більш ніж 2 знаками після коми.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="122"/>
        <source>The Teller Hub did not answer, so it is not known whether your request reached it. Press “Ask a supervisor” again without changing it: the same request is sent, never a second one.</source>
        <translation>Teller Hub не відповів, тому невідомо, чи надійшов ваш запит. Натисніть «Запросити контролера» ще раз без змін: буде надіслано той самий запит, другого не буде.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="160"/>
        <source>A supervisor approved this transfer of %1.</source>
        <translation>Контролер погодив цю передачу на суму %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="163"/>
        <source>A supervisor rejected this transfer of %1.</source>
        <translation>Контролер відхилив цю передачу на суму %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="170"/>
        <source>A supervisor has already approved this transfer of %1.</source>
        <translation>Контролер уже погодив цю передачу на суму %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="172"/>
        <source>A supervisor has already rejected this transfer of %1.</source>
        <translation>Контролер уже відхилив цю передачу на суму %1.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="173"/>
        <source>Request for %1 sent: a supervisor approves it from the branch cash position.</source>
        <translation>Запит на суму %1 надіслано: контролер погоджує його в касовій позиції відділення.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_transfer.py" line="130"/>
        <source>Asking for a transfer</source>
        <translation>Запит на передачу</translation>
    </message>
</context>
<context>
    <name>Validators</name>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="40"/>
        <source>Latin letter “{letter}” in a Cyrillic word: type it in Cyrillic.</source>
        <translation>Латинська літера «{letter}» у кириличному слові: введіть її кирилицею.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="43"/>
        <source>Cyrillic letter “{letter}” in a Latin word: type it in Latin.</source>
        <translation>Кирилична літера «{letter}» у латинському слові: введіть її латиницею.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="100"/>
        <source>This phone number is not valid.</source>
        <translation>Цей номер телефону недійсний.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="113"/>
        <source>The IBAN checksum is wrong: check the digits.</source>
        <translation>Неправильна контрольна сума IBAN: перевірте цифри.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="115"/>
        <source>This is not a valid IBAN.</source>
        <translation>Це недійсний IBAN.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="125"/>
        <source>Login is required.</source>
        <translation>Логін обов’язковий.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="132"/>
        <source>Use 3–128 letters, digits or . _ @ + -</source>
        <translation>Використовуйте від 3 до 128 літер, цифр або символів . _ @ + -</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="28"/>
        <location filename="../../teller_app/ui/validators.py" line="139"/>
        <source>{field} is required.</source>
        <translation>Поле «{field}» обов’язкове.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="30"/>
        <source>{field} must not contain control characters or text-direction marks (they can disguise the text). Retype it.</source>
        <translation>Поле «{field}» не може містити керівних символів чи позначок напрямку тексту (вони можуть маскувати текст). Введіть його заново.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/validators.py" line="34"/>
        <source>{field} must not start with =, +, - or @.</source>
        <translation>Поле «{field}» не може починатися з =, +, - чи @.</translation>
    </message>
</context>
<context>
    <name>VaultCountDialog</name>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="51"/>
        <source>Count the vault</source>
        <translation>Перерахунок сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="62"/>
        <source>Save the count</source>
        <translation>Зберегти перерахунок</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="63"/>
        <source>Check the co-sign</source>
        <translation>Перевірити підпис контролера</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="64"/>
        <source>Second supervisor co-signs here…</source>
        <translation>Другий контролер підписує тут…</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="70"/>
        <source>Book balance</source>
        <translation>Залишок за обліком</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="72"/>
        <source>Difference</source>
        <translation>Різниця</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="73"/>
        <source>Reason</source>
        <translation>Причина</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="85"/>
        <source>The count differs from the book balance: give the reason.</source>
        <translation>Перерахунок відрізняється від залишку за обліком: вкажіть причину.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="110"/>
        <source>Saving the vault count</source>
        <translation>Збереження перерахунку сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="124"/>
        <source>The count ({counted}) was recorded. The branch cash position could not be read just now: read it again to see the vault&apos;s balance.</source>
        <translation>Перерахунок ({counted}) записано. Касову позицію відділення зараз не вдалося прочитати: прочитайте її ще раз, щоб побачити залишок сховища.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="134"/>
        <source>The count ({counted}) differs from the book balance ({book}) by {difference}: a second supervisor (not you) co-signs it. Until then the vault stays at its book balance.</source>
        <translation>Перерахунок ({counted}) відрізняється від залишку за обліком ({book}) на {difference}: його підписує другий контролер (не ви). Доти сховище лишається із залишком за обліком.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="96"/>
        <location filename="../../teller_app/ui/till_vault_count.py" line="117"/>
        <location filename="../../teller_app/ui/till_vault_count.py" line="173"/>
        <source>A newer count of the vault replaced this one.</source>
        <translation>Цей перерахунок замінено новішим перерахунком сховища.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="175"/>
        <source>The count still waits for a second supervisor&apos;s co-sign.</source>
        <translation>Перерахунок досі очікує підпису другого контролера.</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="180"/>
        <source>Checking the vault count</source>
        <translation>Перевірка перерахунку сховища</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="197"/>
        <source>Co-sign the vault count: counted {counted}, book balance {book}, difference {difference}. Reason: {reason}</source>
        <translation>Підписати перерахунок сховища: перераховано {counted}, залишок за обліком {book}, різниця {difference}. Причина: {reason}</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="202"/>
        <source>Counted by: %1</source>
        <translation>Перерахував(ла): %1</translation>
    </message>
    <message>
        <location filename="../../teller_app/ui/till_vault_count.py" line="204"/>
        <source>Supervisor co-signing</source>
        <translation>Підпис контролера</translation>
    </message>
</context>
<context>
    <name>ZoneCheck</name>
    <message>
        <location filename="../../teller_app/ui/zone_check.py" line="31"/>
        <source>Teller cannot work on this computer: it has no time zone data for Kyiv, so the times of receipts, the history and reports cannot be shown. Ask IT to reinstall Teller (the tzdata package is missing or broken). Teller closes now.</source>
        <translation>Teller не може працювати на цьому комп’ютері: на ньому немає даних часового поясу Києва, тож час у квитанціях, історії та звітах показати неможливо. Попросіть ІТ-службу перевстановити Teller (пакет tzdata відсутній або пошкоджений). Teller зараз закриється.</translation>
    </message>
</context>
</TS>
