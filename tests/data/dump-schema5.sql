-- A ledger of schema 5 written by topup's own commands, as 'sqlite3 ledger.db .dump' prints it:
-- every table and row, but not the two header marks (application_id, user_version).
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE card (
            id INTEGER PRIMARY KEY,
            label TEXT NOT NULL,
            label_key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL CHECK (kind IN ('sim', 'smart')),
            number TEXT,
            region TEXT,
            currency TEXT NOT NULL,
            issuer TEXT,
            max_topup_minor INTEGER,
            max_balance_minor INTEGER,
            validity_days INTEGER,
            retired_at_utc TEXT,
            created_at_utc TEXT NOT NULL
        );
INSERT INTO card VALUES(1,'八达通','八达通','smart',NULL,'HK','HKD',NULL,100000,NULL,NULL,NULL,'2026-11-25T15:13:30Z');
INSERT INTO card VALUES(2,'work-sim','work-sim','sim','+85291234567','HK','HKD','SampleTel',NULL,NULL,180,NULL,'2026-11-25T15:13:30Z');
CREATE TABLE topup (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES card(id),
            amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
            paid_minor INTEGER,
            currency TEXT NOT NULL,
            channel TEXT NOT NULL,
            outcome TEXT NOT NULL,
            occurred_at_utc TEXT NOT NULL,
            ref TEXT,
            merchant TEXT,
            note TEXT,
            balance_after_minor INTEGER,
            valid_until TEXT,
            status TEXT NOT NULL,
            created_at_utc TEXT NOT NULL,
            version INTEGER NOT NULL
        );
INSERT INTO topup VALUES(1,1,12000,NULL,'HKD','wechat','credited','2025-03-14T10:42:00Z','WX42001234',NULL,'深圳 地铁',NULL,NULL,'amended','2026-11-25T15:13:30Z',2);
INSERT INTO topup VALUES(2,2,10000,NULL,'HKD','other','credited','2025-03-14T10:42:00Z','RC2503141842',NULL,NULL,12850,NULL,'active','2026-11-25T15:13:31Z',1);
INSERT INTO topup VALUES(3,1,5000,NULL,'HKD','other','credited','2025-03-15T01:00:00Z',NULL,NULL,NULL,NULL,NULL,'void','2026-11-25T15:13:31Z',2);
CREATE TABLE topup_version (
            seq INTEGER PRIMARY KEY,
            topup_id INTEGER NOT NULL REFERENCES topup(id),
            version INTEGER NOT NULL,
            action TEXT NOT NULL,
            reason TEXT,
            recorded_at_utc TEXT NOT NULL,
            content TEXT NOT NULL,
            prev_digest TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE,
            UNIQUE (topup_id, version)
        );
INSERT INTO topup_version VALUES(3,1,1,'log',NULL,'2026-11-25T15:13:30Z','{"_scheme":2,"amount_minor":10000,"balance_after_minor":null,"card_id":1,"change":{"action":"log","at":"2026-11-25T15:13:30Z","id":1,"reason":null,"subject":"record","version":1},"channel":"wechat","created_at_utc":"2026-11-25T15:13:30Z","currency":"HKD","id":1,"merchant":null,"note":"深圳 地铁","occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["aa8c28cf0c0bbf1af78fc8613d8e052dd42475fe937af1016f2f6067f127b37f","slip.txt",14,"text/plain"]],"ref":"WX42001234","status":"active","valid_until":null,"version":1}','bb7c81d033a3b43d2e71876572d75837e72779027ce1482dca66fc457c75b977','f046be7971e682120654a34f5f1d5ed6da0dc10a6ec42a785ecddcc854e44278');
INSERT INTO topup_version VALUES(4,2,1,'log',NULL,'2026-11-25T15:13:31Z','{"_scheme":2,"amount_minor":10000,"balance_after_minor":12850,"card_id":2,"change":{"action":"log","at":"2026-11-25T15:13:31Z","id":2,"reason":null,"subject":"record","version":1},"channel":"other","created_at_utc":"2026-11-25T15:13:31Z","currency":"HKD","id":2,"merchant":null,"note":null,"occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["3a8bd9301a79ccbfd88e36ae0d957553fa5b2cdde8f7807d54ce652e864a915b","message.txt",97,"text/plain"]],"ref":"RC2503141842","status":"active","valid_until":null,"version":1}','f046be7971e682120654a34f5f1d5ed6da0dc10a6ec42a785ecddcc854e44278','d85acef55e39aecc6cce0decf58322fa5f3f2ff72c7928b4ea7dd41ae447933d');
INSERT INTO topup_version VALUES(5,3,1,'log',NULL,'2026-11-25T15:13:31Z','{"_scheme":2,"amount_minor":5000,"balance_after_minor":null,"card_id":1,"change":{"action":"log","at":"2026-11-25T15:13:31Z","id":3,"reason":null,"subject":"record","version":1},"channel":"other","created_at_utc":"2026-11-25T15:13:31Z","currency":"HKD","id":3,"merchant":null,"note":null,"occurred_at_utc":"2025-03-15T01:00:00Z","outcome":"credited","paid_minor":null,"receipts":[],"ref":null,"status":"active","valid_until":null,"version":1}','d85acef55e39aecc6cce0decf58322fa5f3f2ff72c7928b4ea7dd41ae447933d','9cd9dcc05cec374a220989e97457b86b54c26ff4db356bc8627a9a314548117b');
INSERT INTO topup_version VALUES(6,3,2,'void','logged twice','2026-11-25T15:13:32Z','{"_scheme":2,"amount_minor":5000,"balance_after_minor":null,"card_id":1,"change":{"action":"void","at":"2026-11-25T15:13:32Z","id":3,"reason":"logged twice","subject":"record","version":2},"channel":"other","created_at_utc":"2026-11-25T15:13:31Z","currency":"HKD","id":3,"merchant":null,"note":null,"occurred_at_utc":"2025-03-15T01:00:00Z","outcome":"credited","paid_minor":null,"receipts":[],"ref":null,"status":"void","valid_until":null,"version":2}','9cd9dcc05cec374a220989e97457b86b54c26ff4db356bc8627a9a314548117b','dfb9cb6fbc0b06eaeab7cf9a7bc79fec7dd561c636892a279b63d5ce2655d075');
INSERT INTO topup_version VALUES(7,1,2,'amend','the receipt says 120','2026-11-25T15:13:33Z','{"_scheme":2,"amount_minor":12000,"balance_after_minor":null,"card_id":1,"change":{"action":"amend","at":"2026-11-25T15:13:33Z","id":1,"reason":"the receipt says 120","subject":"record","version":2},"channel":"wechat","created_at_utc":"2026-11-25T15:13:30Z","currency":"HKD","id":1,"merchant":null,"note":"深圳 地铁","occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["aa8c28cf0c0bbf1af78fc8613d8e052dd42475fe937af1016f2f6067f127b37f","slip.txt",14,"text/plain"]],"ref":"WX42001234","status":"amended","valid_until":null,"version":2}','dfb9cb6fbc0b06eaeab7cf9a7bc79fec7dd561c636892a279b63d5ce2655d075','18388e9a7cbcf4b076cf8bd73ffc0468b039a3344950eb30477cd26d4fae140e');
CREATE TABLE chain_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            digest TEXT NOT NULL
        );
INSERT INTO chain_head VALUES(1,8,'7f4ec6da349e6c1145e00b09f35f3fbb40491b81518bdc153f9574cd630ca6a3');
CREATE TABLE blob (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            data BLOB NOT NULL
        );
INSERT INTO blob VALUES('aa8c28cf0c0bbf1af78fc8613d8e052dd42475fe937af1016f2f6067f127b37f',14,X'726563656970742062797465730a');
INSERT INTO blob VALUES('3a8bd9301a79ccbfd88e36ae0d957553fa5b2cdde8f7807d54ce652e864a915b',97,X'53616d706c6554656c3a20726563686172676564207769746820484b243130302e3030206f6e203134204d617220323032352031383a34322e20526566206e6f2e205243323530333134313834322e2042616c616e636520484b243132382e3530');
CREATE TABLE receipt (
            id INTEGER PRIMARY KEY,
            topup_id INTEGER NOT NULL REFERENCES topup(id),
            sha256 TEXT NOT NULL REFERENCES blob(sha256),
            name TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            added_at_utc TEXT NOT NULL,
            UNIQUE (topup_id, sha256)
        );
INSERT INTO receipt VALUES(1,1,'aa8c28cf0c0bbf1af78fc8613d8e052dd42475fe937af1016f2f6067f127b37f','slip.txt','text/plain',14,'2026-11-25T15:13:30Z');
INSERT INTO receipt VALUES(2,2,'3a8bd9301a79ccbfd88e36ae0d957553fa5b2cdde8f7807d54ce652e864a915b','message.txt','text/plain',97,'2026-11-25T15:13:31Z');
PRAGMA writable_schema=ON;
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','topup_fts','topup_fts',0,'CREATE VIRTUAL TABLE topup_fts USING fts5(body, content='''', tokenize=''trigram'')');
CREATE TABLE IF NOT EXISTS 'topup_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO topup_fts_data VALUES(1,X'031b');
INSERT INTO topup_fts_data VALUES(10,X'000000000102020002010101020101');
INSERT INTO topup_fts_data VALUES(137438953473,X'0000008a06300a0ae6b7b101020c0206e6b7b1e59cb301020d010720e59cb0e993810102100103303031010206020231320102070103313233010208010332303001020502023334010209010333340a01020a0103340a0a01020b02023230010204010377783401020201037834320102030107e59cb320e59cb001020f0107e6b7b1e59cb32001020e040a0b0c080708080708080708080c');
INSERT INTO topup_fts_data VALUES(274877906945,X'00000061043030333102020601033134310202080202383402020a0103320a0a02020d02023530020204010333313402020701033431380202090202320a02020c0103353033020205010338343202020b01036332350202030103726332020202040808070807080807080808');
CREATE TABLE IF NOT EXISTS 'topup_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO topup_fts_idx VALUES(1,X'',2);
INSERT INTO topup_fts_idx VALUES(2,X'',2);
CREATE TABLE IF NOT EXISTS 'topup_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO topup_fts_docsize VALUES(1,X'0f');
INSERT INTO topup_fts_docsize VALUES(2,X'0c');
INSERT INTO topup_fts_docsize VALUES(3,X'00');
CREATE TABLE IF NOT EXISTS 'topup_fts_config'(k PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO topup_fts_config VALUES('version',4);
CREATE TABLE ledger_link (
            seq INTEGER PRIMARY KEY,
            card_id INTEGER REFERENCES card(id),
            version INTEGER NOT NULL,
            action TEXT NOT NULL,
            reason TEXT,
            recorded_at_utc TEXT NOT NULL,
            content TEXT NOT NULL,
            prev_digest TEXT NOT NULL,
            digest TEXT NOT NULL UNIQUE
        );
INSERT INTO ledger_link VALUES(1,1,1,'add',NULL,'2026-11-25T15:13:30Z','{"_scheme":2,"change":{"action":"add","at":"2026-11-25T15:13:30Z","id":1,"reason":null,"subject":"card","version":1},"created_at_utc":"2026-11-25T15:13:30Z","currency":"HKD","id":1,"issuer":null,"kind":"smart","label":"八达通","label_key":"八达通","max_balance_minor":null,"max_topup_minor":100000,"number":null,"region":"HK","retired_at_utc":null,"validity_days":null}','0000000000000000000000000000000000000000000000000000000000000000','681da3afbe040c8f63d33920a0e5ffcd180c66a3fc30e19bfea3b532a99d188e');
INSERT INTO ledger_link VALUES(2,2,1,'add',NULL,'2026-11-25T15:13:30Z','{"_scheme":2,"change":{"action":"add","at":"2026-11-25T15:13:30Z","id":2,"reason":null,"subject":"card","version":1},"created_at_utc":"2026-11-25T15:13:30Z","currency":"HKD","id":2,"issuer":null,"kind":"sim","label":"work-sim","label_key":"work-sim","max_balance_minor":null,"max_topup_minor":null,"number":"+85291234567","region":"HK","retired_at_utc":null,"validity_days":180}','681da3afbe040c8f63d33920a0e5ffcd180c66a3fc30e19bfea3b532a99d188e','bb7c81d033a3b43d2e71876572d75837e72779027ce1482dca66fc457c75b977');
INSERT INTO ledger_link VALUES(8,2,2,'edit',NULL,'2026-11-25T15:13:33Z','{"_scheme":2,"change":{"action":"edit","at":"2026-11-25T15:13:33Z","id":2,"reason":null,"subject":"card","version":2},"created_at_utc":"2026-11-25T15:13:30Z","currency":"HKD","id":2,"issuer":"SampleTel","kind":"sim","label":"work-sim","label_key":"work-sim","max_balance_minor":null,"max_topup_minor":null,"number":"+85291234567","region":"HK","retired_at_utc":null,"validity_days":180}','18388e9a7cbcf4b076cf8bd73ffc0468b039a3344950eb30477cd26d4fae140e','7f4ec6da349e6c1145e00b09f35f3fbb40491b81518bdc153f9574cd630ca6a3');
CREATE INDEX topup_card_time ON topup (card_id, occurred_at_utc);
CREATE INDEX topup_time ON topup (occurred_at_utc);
CREATE INDEX topup_ref ON topup (ref COLLATE NOCASE);
CREATE INDEX receipt_topup ON receipt (topup_id);
CREATE TRIGGER topup_fts_update AFTER UPDATE OF ref, merchant, note ON topup BEGIN
            INSERT INTO topup_fts (topup_fts, rowid, body) VALUES ('delete', old.id, coalesce(old.ref, '') || char(10) || coalesce(old.merchant, '') || char(10) || coalesce(old.note, ''));
            INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, ''));
        END;
CREATE TRIGGER topup_fts_delete AFTER DELETE ON topup BEGIN
            INSERT INTO topup_fts (topup_fts, rowid, body) VALUES ('delete', old.id, coalesce(old.ref, '') || char(10) || coalesce(old.merchant, '') || char(10) || coalesce(old.note, ''));
        END;
CREATE TRIGGER topup_fts_insert AFTER INSERT ON topup BEGIN
        INSERT INTO topup_fts (rowid, body) VALUES (new.id, coalesce(new.ref, '') || char(10) || coalesce(new.merchant, '') || char(10) || coalesce(new.note, ''));
    END;
CREATE UNIQUE INDEX ledger_link_version ON ledger_link (coalesce(card_id, 0), version)
        ;
PRAGMA writable_schema=OFF;
COMMIT;
