-- A ledger of schema 5 written by topup's own commands, as 'sqlite3 ledger.db .dump' prints it:
-- every table and row, but not the two header marks (application_id, user_version). Its TWD
-- amounts are in whole dollars, as that schema kept them.
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
INSERT INTO card VALUES(1,'八达通','八达通','smart',NULL,'HK','HKD',NULL,100000,NULL,NULL,NULL,'2026-11-25T15:17:38Z');
INSERT INTO card VALUES(2,'work-sim','work-sim','sim','+85291234567','HK','HKD','SampleTel',NULL,NULL,180,NULL,'2026-11-25T15:17:38Z');
INSERT INTO card VALUES(3,'悠遊卡','悠遊卡','smart',NULL,'TW','TWD',NULL,2000,10000,NULL,NULL,'2026-11-25T15:17:38Z');
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
INSERT INTO topup VALUES(1,1,12000,NULL,'HKD','wechat','credited','2025-03-14T10:42:00Z','WX42001234',NULL,'深圳 地铁',NULL,NULL,'amended','2026-11-25T15:17:38Z',2);
INSERT INTO topup VALUES(2,2,10000,NULL,'HKD','other','credited','2025-03-14T10:42:00Z','RC2503141842',NULL,NULL,12850,NULL,'active','2026-11-25T15:17:39Z',1);
INSERT INTO topup VALUES(3,1,5000,NULL,'HKD','other','credited','2025-03-15T01:00:00Z',NULL,NULL,NULL,NULL,NULL,'void','2026-11-25T15:17:39Z',2);
INSERT INTO topup VALUES(4,3,300,NULL,'TWD','store','credited','2025-10-02T13:05:00Z','A1B2C3D4',NULL,NULL,310,NULL,'active','2026-11-25T15:17:41Z',1);
INSERT INTO topup VALUES(5,3,600,495,'TWD','other','credited','2025-10-05T00:00:00Z','TW0000555',NULL,NULL,910,NULL,'amended','2026-11-25T15:17:41Z',2);
INSERT INTO topup VALUES(6,3,200,NULL,'TWD','other','pending','2025-10-06T02:00:00Z',NULL,NULL,NULL,NULL,NULL,'void','2026-11-25T15:17:42Z',2);
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
INSERT INTO topup_version VALUES(4,1,1,'log',NULL,'2026-11-25T15:17:38Z','{"_scheme":2,"amount_minor":10000,"balance_after_minor":null,"card_id":1,"change":{"action":"log","at":"2026-11-25T15:17:38Z","id":1,"reason":null,"subject":"record","version":1},"channel":"wechat","created_at_utc":"2026-11-25T15:17:38Z","currency":"HKD","id":1,"merchant":null,"note":"深圳 地铁","occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["aa8c28cf0c0bbf1af78fc8613d8e052dd42475fe937af1016f2f6067f127b37f","slip.txt",14,"text/plain"]],"ref":"WX42001234","status":"active","valid_until":null,"version":1}','17b2add7200355eb4fc282f1a40571cdbcd8939ebcb44564974e43a01c3f980f','0415015cd71af0daaa80dbdf33caa7be5ba4d83b95f6e58c9c9fc77fa12bbf17');
INSERT INTO topup_version VALUES(5,2,1,'log',NULL,'2026-11-25T15:17:39Z','{"_scheme":2,"amount_minor":10000,"balance_after_minor":12850,"card_id":2,"change":{"action":"log","at":"2026-11-25T15:17:39Z","id":2,"reason":null,"subject":"record","version":1},"channel":"other","created_at_utc":"2026-11-25T15:17:39Z","currency":"HKD","id":2,"merchant":null,"note":null,"occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["3a8bd9301a79ccbfd88e36ae0d957553fa5b2cdde8f7807d54ce652e864a915b","message.txt",97,"text/plain"]],"ref":"RC2503141842","status":"active","valid_until":null,"version":1}','0415015cd71af0daaa80dbdf33caa7be5ba4d83b95f6e58c9c9fc77fa12bbf17','070877a892eb0aeca38a95519a637276ecdcf5f37009382502a6c657d8770476');
INSERT INTO topup_version VALUES(6,3,1,'log',NULL,'2026-11-25T15:17:39Z','{"_scheme":2,"amount_minor":5000,"balance_after_minor":null,"card_id":1,"change":{"action":"log","at":"2026-11-25T15:17:39Z","id":3,"reason":null,"subject":"record","version":1},"channel":"other","created_at_utc":"2026-11-25T15:17:39Z","currency":"HKD","id":3,"merchant":null,"note":null,"occurred_at_utc":"2025-03-15T01:00:00Z","outcome":"credited","paid_minor":null,"receipts":[],"ref":null,"status":"active","valid_until":null,"version":1}','070877a892eb0aeca38a95519a637276ecdcf5f37009382502a6c657d8770476','e630a79dbb1d30c95e64314587691f2d4906e57843d919d5fcd76fefc9e867d5');
INSERT INTO topup_version VALUES(7,3,2,'void','logged twice','2026-11-25T15:17:40Z','{"_scheme":2,"amount_minor":5000,"balance_after_minor":null,"card_id":1,"change":{"action":"void","at":"2026-11-25T15:17:40Z","id":3,"reason":"logged twice","subject":"record","version":2},"channel":"other","created_at_utc":"2026-11-25T15:17:39Z","currency":"HKD","id":3,"merchant":null,"note":null,"occurred_at_utc":"2025-03-15T01:00:00Z","outcome":"credited","paid_minor":null,"receipts":[],"ref":null,"status":"void","valid_until":null,"version":2}','e630a79dbb1d30c95e64314587691f2d4906e57843d919d5fcd76fefc9e867d5','ff7a2bace6337e26ba44b00f730e09ef62b2b0aa5de03eb04a82fa704d653a35');
INSERT INTO topup_version VALUES(8,1,2,'amend','the receipt says 120','2026-11-25T15:17:40Z','{"_scheme":2,"amount_minor":12000,"balance_after_minor":null,"card_id":1,"change":{"action":"amend","at":"2026-11-25T15:17:40Z","id":1,"reason":"the receipt says 120","subject":"record","version":2},"channel":"wechat","created_at_utc":"2026-11-25T15:17:38Z","currency":"HKD","id":1,"merchant":null,"note":"深圳 地铁","occurred_at_utc":"2025-03-14T10:42:00Z","outcome":"credited","paid_minor":null,"receipts":[["aa8c28cf0c0bbf1af78fc8613d8e052dd42475fe937af1016f2f6067f127b37f","slip.txt",14,"text/plain"]],"ref":"WX42001234","status":"amended","valid_until":null,"version":2}','ff7a2bace6337e26ba44b00f730e09ef62b2b0aa5de03eb04a82fa704d653a35','e369865d27891f912f8959f14025ed79eb192bd0d67d8c6cb6a41bcf39a34608');
INSERT INTO topup_version VALUES(10,4,1,'log',NULL,'2026-11-25T15:17:41Z','{"_scheme":2,"amount_minor":300,"balance_after_minor":310,"card_id":3,"change":{"action":"log","at":"2026-11-25T15:17:41Z","id":4,"reason":null,"subject":"record","version":1},"channel":"store","created_at_utc":"2026-11-25T15:17:41Z","currency":"TWD","id":4,"merchant":null,"note":null,"occurred_at_utc":"2025-10-02T13:05:00Z","outcome":"credited","paid_minor":null,"receipts":[["dfd6c05dea1ddcfc085fe180750130d5cee2d66175eef86370c9af82e1b06395","message.txt",78,"text/plain"]],"ref":"A1B2C3D4","status":"active","valid_until":null,"version":1}','b2722e0ec29f2bc590ea20a5885042f3be1bf3d64cc259af292babb9a6e7d298','c12d7399f090f82137b9de8d005b4cca203449de4dc556974de72efe030e5411');
INSERT INTO topup_version VALUES(11,5,1,'log',NULL,'2026-11-25T15:17:41Z','{"_scheme":2,"amount_minor":500,"balance_after_minor":810,"card_id":3,"change":{"action":"log","at":"2026-11-25T15:17:41Z","id":5,"reason":null,"subject":"record","version":1},"channel":"other","created_at_utc":"2026-11-25T15:17:41Z","currency":"TWD","id":5,"merchant":null,"note":null,"occurred_at_utc":"2025-10-05T00:00:00Z","outcome":"credited","paid_minor":495,"receipts":[],"ref":"TW0000555","status":"active","valid_until":null,"version":1}','c12d7399f090f82137b9de8d005b4cca203449de4dc556974de72efe030e5411','d660588447884ef53118daa397574729b218e282bf7ff2a0b4500840241c49f5');
INSERT INTO topup_version VALUES(12,5,2,'amend','the slip says 600','2026-11-25T15:17:42Z','{"_scheme":2,"amount_minor":600,"balance_after_minor":910,"card_id":3,"change":{"action":"amend","at":"2026-11-25T15:17:42Z","id":5,"reason":"the slip says 600","subject":"record","version":2},"channel":"other","created_at_utc":"2026-11-25T15:17:41Z","currency":"TWD","id":5,"merchant":null,"note":null,"occurred_at_utc":"2025-10-05T00:00:00Z","outcome":"credited","paid_minor":495,"receipts":[],"ref":"TW0000555","status":"amended","valid_until":null,"version":2}','d660588447884ef53118daa397574729b218e282bf7ff2a0b4500840241c49f5','c22c1f2921d1041a0b8a2af7447467d3117c87e25f6b6534f282592fcbbc2e1e');
INSERT INTO topup_version VALUES(13,6,1,'log',NULL,'2026-11-25T15:17:42Z','{"_scheme":2,"amount_minor":200,"balance_after_minor":null,"card_id":3,"change":{"action":"log","at":"2026-11-25T15:17:42Z","id":6,"reason":null,"subject":"record","version":1},"channel":"other","created_at_utc":"2026-11-25T15:17:42Z","currency":"TWD","id":6,"merchant":null,"note":null,"occurred_at_utc":"2025-10-06T02:00:00Z","outcome":"pending","paid_minor":null,"receipts":[],"ref":null,"status":"active","valid_until":null,"version":1}','c22c1f2921d1041a0b8a2af7447467d3117c87e25f6b6534f282592fcbbc2e1e','570cbeb574a71c4710a9931193c5333a579381be996fe702de3366bec015e525');
INSERT INTO topup_version VALUES(14,6,2,'void','never paid','2026-11-25T15:17:43Z','{"_scheme":2,"amount_minor":200,"balance_after_minor":null,"card_id":3,"change":{"action":"void","at":"2026-11-25T15:17:43Z","id":6,"reason":"never paid","subject":"record","version":2},"channel":"other","created_at_utc":"2026-11-25T15:17:42Z","currency":"TWD","id":6,"merchant":null,"note":null,"occurred_at_utc":"2025-10-06T02:00:00Z","outcome":"pending","paid_minor":null,"receipts":[],"ref":null,"status":"void","valid_until":null,"version":2}','570cbeb574a71c4710a9931193c5333a579381be996fe702de3366bec015e525','4732e0467070a06617bf30688cc8d163cacc5fcd7ce8e7294bcf82b7b39c3e08');
CREATE TABLE chain_head (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            seq INTEGER NOT NULL,
            digest TEXT NOT NULL
        );
INSERT INTO chain_head VALUES(1,15,'9450dac0695a5cc4397affdcb19515fe7245737fb39eda7031c5e3c4df5499b2');
CREATE TABLE blob (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            data BLOB NOT NULL
        );
INSERT INTO blob VALUES('aa8c28cf0c0bbf1af78fc8613d8e052dd42475fe937af1016f2f6067f127b37f',14,X'726563656970742062797465730a');
INSERT INTO blob VALUES('3a8bd9301a79ccbfd88e36ae0d957553fa5b2cdde8f7807d54ce652e864a915b',97,X'53616d706c6554656c3a20726563686172676564207769746820484b243130302e3030206f6e203134204d617220323032352031383a34322e20526566206e6f2e205243323530333134313834322e2042616c616e636520484b243132382e3530');
INSERT INTO blob VALUES('dfd6c05dea1ddcfc085fe180750130d5cee2d66175eef86370c9af82e1b06395',78,X'3131342f31302f30322032313a303520e8b685e59586e58aa0e580bc4e5424333030e58583efbc8ce4baa4e69893e7b7a8e8999f4131423243334434efbc8ce9a498e9a18d4e5424333130e58583');
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
INSERT INTO receipt VALUES(1,1,'aa8c28cf0c0bbf1af78fc8613d8e052dd42475fe937af1016f2f6067f127b37f','slip.txt','text/plain',14,'2026-11-25T15:17:38Z');
INSERT INTO receipt VALUES(2,2,'3a8bd9301a79ccbfd88e36ae0d957553fa5b2cdde8f7807d54ce652e864a915b','message.txt','text/plain',97,'2026-11-25T15:17:39Z');
INSERT INTO receipt VALUES(3,4,'dfd6c05dea1ddcfc085fe180750130d5cee2d66175eef86370c9af82e1b06395','message.txt','text/plain',78,'2026-11-25T15:17:41Z');
PRAGMA writable_schema=ON;
INSERT INTO sqlite_schema(type,name,tbl_name,rootpage,sql)VALUES('table','topup_fts','topup_fts',0,'CREATE VIRTUAL TABLE topup_fts USING fts5(body, content='''', tokenize=''trigram'')');
CREATE TABLE IF NOT EXISTS 'topup_fts_data'(id INTEGER PRIMARY KEY, block BLOB);
INSERT INTO topup_fts_data VALUES(1,X'062c');
INSERT INTO topup_fts_data VALUES(10,X'000000000104040004010101020101030101040101');
INSERT INTO topup_fts_data VALUES(137438953473,X'0000008a06300a0ae6b7b101020c0206e6b7b1e59cb301020d010720e59cb0e993810102100103303031010206020231320102070103313233010208010332303001020502023334010209010333340a01020a0103340a0a01020b02023230010204010377783401020201037834320102030107e59cb320e59cb001020f0107e6b7b1e59cb32001020e040a0b0c080708080708080708080c');
INSERT INTO topup_fts_data VALUES(274877906945,X'00000061043030333102020601033134310202080202383402020a0103320a0a02020d02023530020204010333313402020701033431380202090202320a02020c0103353033020205010338343202020b01036332350202030103726332020202040808070807080807080808');
INSERT INTO topup_fts_data VALUES(412316860417,X'000000440430316232040203010332633304020501033364340402070103340a0a040209010361316204020201036232630402040103633364040206010364340a0402080408080808080808');
INSERT INTO topup_fts_data VALUES(549755813889,X'0000003f043030303005040403030135050206020235350502070103350a0a05020a0202350a050209030135050208010374773005020201037730300502030409060708070608');
CREATE TABLE IF NOT EXISTS 'topup_fts_idx'(segid, term, pgno, PRIMARY KEY(segid, term)) WITHOUT ROWID;
INSERT INTO topup_fts_idx VALUES(1,X'',2);
INSERT INTO topup_fts_idx VALUES(2,X'',2);
INSERT INTO topup_fts_idx VALUES(3,X'',2);
INSERT INTO topup_fts_idx VALUES(4,X'',2);
CREATE TABLE IF NOT EXISTS 'topup_fts_docsize'(id INTEGER PRIMARY KEY, sz BLOB);
INSERT INTO topup_fts_docsize VALUES(1,X'0f');
INSERT INTO topup_fts_docsize VALUES(2,X'0c');
INSERT INTO topup_fts_docsize VALUES(3,X'00');
INSERT INTO topup_fts_docsize VALUES(4,X'08');
INSERT INTO topup_fts_docsize VALUES(5,X'09');
INSERT INTO topup_fts_docsize VALUES(6,X'00');
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
INSERT INTO ledger_link VALUES(1,1,1,'add',NULL,'2026-11-25T15:17:38Z','{"_scheme":2,"change":{"action":"add","at":"2026-11-25T15:17:38Z","id":1,"reason":null,"subject":"card","version":1},"created_at_utc":"2026-11-25T15:17:38Z","currency":"HKD","id":1,"issuer":null,"kind":"smart","label":"八达通","label_key":"八达通","max_balance_minor":null,"max_topup_minor":100000,"number":null,"region":"HK","retired_at_utc":null,"validity_days":null}','0000000000000000000000000000000000000000000000000000000000000000','a8cc031993a773158cf41f6f31db4bab155e50335d6d30d502bdf5d625b87bb1');
INSERT INTO ledger_link VALUES(2,2,1,'add',NULL,'2026-11-25T15:17:38Z','{"_scheme":2,"change":{"action":"add","at":"2026-11-25T15:17:38Z","id":2,"reason":null,"subject":"card","version":1},"created_at_utc":"2026-11-25T15:17:38Z","currency":"HKD","id":2,"issuer":null,"kind":"sim","label":"work-sim","label_key":"work-sim","max_balance_minor":null,"max_topup_minor":null,"number":"+85291234567","region":"HK","retired_at_utc":null,"validity_days":180}','a8cc031993a773158cf41f6f31db4bab155e50335d6d30d502bdf5d625b87bb1','1f8add202bd364babf6a51b5674b9d25a2fb6cffcfb9c616c2bd69b4ded25ab1');
INSERT INTO ledger_link VALUES(3,3,1,'add',NULL,'2026-11-25T15:17:38Z','{"_scheme":2,"change":{"action":"add","at":"2026-11-25T15:17:38Z","id":3,"reason":null,"subject":"card","version":1},"created_at_utc":"2026-11-25T15:17:38Z","currency":"TWD","id":3,"issuer":null,"kind":"smart","label":"悠遊卡","label_key":"悠遊卡","max_balance_minor":10000,"max_topup_minor":1000,"number":null,"region":"TW","retired_at_utc":null,"validity_days":null}','1f8add202bd364babf6a51b5674b9d25a2fb6cffcfb9c616c2bd69b4ded25ab1','17b2add7200355eb4fc282f1a40571cdbcd8939ebcb44564974e43a01c3f980f');
INSERT INTO ledger_link VALUES(9,2,2,'edit',NULL,'2026-11-25T15:17:41Z','{"_scheme":2,"change":{"action":"edit","at":"2026-11-25T15:17:41Z","id":2,"reason":null,"subject":"card","version":2},"created_at_utc":"2026-11-25T15:17:38Z","currency":"HKD","id":2,"issuer":"SampleTel","kind":"sim","label":"work-sim","label_key":"work-sim","max_balance_minor":null,"max_topup_minor":null,"number":"+85291234567","region":"HK","retired_at_utc":null,"validity_days":180}','e369865d27891f912f8959f14025ed79eb192bd0d67d8c6cb6a41bcf39a34608','b2722e0ec29f2bc590ea20a5885042f3be1bf3d64cc259af292babb9a6e7d298');
INSERT INTO ledger_link VALUES(15,3,2,'edit',NULL,'2026-11-25T15:17:43Z','{"_scheme":2,"change":{"action":"edit","at":"2026-11-25T15:17:43Z","id":3,"reason":null,"subject":"card","version":2},"created_at_utc":"2026-11-25T15:17:38Z","currency":"TWD","id":3,"issuer":null,"kind":"smart","label":"悠遊卡","label_key":"悠遊卡","max_balance_minor":10000,"max_topup_minor":2000,"number":null,"region":"TW","retired_at_utc":null,"validity_days":null}','4732e0467070a06617bf30688cc8d163cacc5fcd7ce8e7294bcf82b7b39c3e08','9450dac0695a5cc4397affdcb19515fe7245737fb39eda7031c5e3c4df5499b2');
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
