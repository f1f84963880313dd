-- Every kind of column the seeder must fill without error (issue "populated database").
create extension if not exists citext;
create type mood as enum ('sad', 'ok', 'happy');
create domain positive_int as integer check (value > 0);
create domain email as text not null check (value ~ '^[^@]+@[^@]+$');
create type money_amount as (currency char(3), cents bigint);
create schema billing;

create table customers (
    id integer generated always as identity primary key,
    email varchar(120) not null unique,
    name text,
    nickname citext,
    mood mood not null default 'ok',
    tags text[],
    scores integer[] not null default '{}',
    profile jsonb,
    settings json,
    external_id uuid not null unique,
    avatar bytea,
    last_ip inet,
    network cidr,
    mac macaddr,
    born date,
    created_at timestamptz not null default now(),
    local_at timestamp,
    opens time,
    trial interval,
    balance numeric(12, 2) not null default 0,
    ratio double precision,
    small smallint,
    big bigint,
    active boolean not null,
    code char(4),
    search tsvector,
    stay daterange,
    amount money_amount,
    constraint customers_balance_check check (balance > -1000),
    constraint customers_code_upper check (code = upper(code))
);

create table categories (
    id serial primary key,
    parent_id integer references categories (id),
    name varchar(40) not null,
    unique (parent_id, name)
);

create table billing.accounts (
    tenant text not null,
    number integer not null,
    customer_id integer not null references customers (id),
    contact email,
    level positive_int,
    primary key (tenant, number)
);

create table orders (
    id bigserial primary key,
    customer_id integer not null references customers (id),
    tenant text,
    account_number integer,
    category_id integer references categories (id),
    quantity integer not null check (quantity between 1 and 50),
    price numeric(8, 2) not null check (price >= 0),
    status varchar(16) not null default 'new' check (status in ('new', 'paid', 'shipped')),
    note text,
    total numeric generated always as (quantity * price) stored,
    foreign key (tenant, account_number) references billing.accounts (tenant, number)
);

create table order_items (
    order_id bigint not null references orders (id),
    position smallint not null,
    sku varchar(12) not null,
    primary key (order_id, position)
);

create table profiles (
    customer_id integer primary key references customers (id),
    bio text
);

create table employees (
    id integer primary key,
    manager_id integer not null references employees (id),
    name text not null
);
