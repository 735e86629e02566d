// i18n.js - every visible string goes through t(key) from one of two dictionaries, zh-CN
// (the default) and English; numbers and dates are formatted by Intl for the chosen
// language. The choice is remembered in localStorage. Names that come from the server in
// both languages (indicators, service items: name_zh / name_en) are chosen by pick().

const LANGS = ['zh-CN', 'en'];
const KEY = 'yilian.lang';

const zh = {
    'app.brand': '医联 yilian', 'app.skip': '跳到正文', 'app.menu': '主菜单', 'app.language': '语言',
    'app.logout': '退出', 'app.loading': '正在加载…',
    'nav.overview': '总览', 'nav.drill': '逐级分析', 'nav.map': '地图', 'nav.worklist': '家庭医生工作单',
    'nav.referrals': '双向转诊', 'nav.admin': '系统管理', 'nav.resident': '居民健康档案', 'nav.login': '登录',
    'role.admin': '卫健委管理员', 'role.facility_admin': '机构管理员', 'role.family_doctor': '家庭医生',
    'role.village_doctor': '村医', 'role.epidemiologist': '疾控流行病学', 'role.analyst': '统计分析',
    'login.title': '登录医联', 'login.username': '用户名', 'login.password': '密码', 'login.submit': '登录',
    'login.wrong': '用户名或密码不正确', 'login.throttled': '登录失败次数过多，请稍后再试',
    'login.missing': '请输入用户名和密码', 'login.expired': '会话已结束，请重新登录',
    'error.forbidden': '当前角色无权查看此内容', 'error.notfound': '未找到，或不在您的管辖范围内',
    'error.unavailable': '暂不可用', 'error.unreachable': '无法连接服务器', 'error.refused': '请求被拒绝',
    'error.page_forbidden': '当前角色无权打开此页面', 'error.page_failed': '页面加载失败',
    'common.year': '年度', 'common.not_available': '暂无数据', 'common.more': '加载更多', 'common.yes': '是',
    'common.no': '否', 'common.cancel': '取消', 'common.search': '查询', 'common.create': '新建',
    'table.empty': '没有记录',
    'unit.pp': '个百分点', 'unit.per1000': '每千人口', 'unit.per10000': '每万人口', 'unit.per100k': '/10万',
    'unit.per100klb': '/10万活产', 'unit.persons': '人', 'unit.count': '个', 'unit.services': '人次',
    'unit.per_team': '人/团队',
    'overview.title': '区域卫生健康总览', 'overview.trend': '近五年趋势', 'overview.vs_previous': '比上年',
    'overview.no_previous': '上年无可比数据', 'overview.grassroots_share': '基层诊疗量占比',
    'overview.circle15': '15分钟健康服务圈覆盖人口比例', 'overview.circle_missing': '服务器未加载路网',
    'overview.current_roads': '按当前路网计算', 'overview.incidence': '法定传染病报告发病率',
    'overview.cases': '报告病例', 'overview.target': '目标', 'overview.behind': '未达标', 'overview.drill': '逐级查看',
    'drill.title': '指标逐级分析', 'drill.path': '所在层级', 'drill.indicator': '指标', 'drill.export': '导出 CSV',
    'drill.code': '区划代码', 'drill.value': '数值', 'drill.numerator': '分子', 'drill.denominator': '分母',
    'drill.unit': '单位', 'drill.lowest': '已是最低一级（村/社区）',
    'level.province': '省', 'level.city': '市', 'level.county': '县（市、区）', 'level.township': '乡镇（街道）',
    'level.village': '村（社区）',
    'worklist.title': '家庭医生工作单', 'worklist.states': '服务状态',
    'worklist.lead': '{date} · 签约居民 {residents} 人 · 服务机构 {facility}',
    'worklist.resident': '居民', 'worklist.village': '村（社区）', 'worklist.item': '服务项目',
    'worklist.due_by': '应完成日期', 'worklist.overdue_since': '逾期起始', 'worklist.open': '可开始日期',
    'worklist.last_done': '上次完成', 'worklist.phone': '电话', 'worklist.action': '操作', 'worklist.record': '记录服务',
    'worklist.save': '保存', 'worklist.date': '服务日期', 'worklist.facility': '服务机构',
    'worklist.optional': '其他测量项目（选填）', 'worklist.recorded': '已记录：{name}的{item}',
    'state.due': '待完成', 'state.overdue': '已逾期', 'state.upcoming': '即将到期', 'state.done': '已完成',
    'state.not_eligible': '不适用',
    'resident.title': '居民健康档案', 'resident.forbidden': '您的角色只能查看汇总数据，不能打开个人档案',
    'resident.id_number': '身份证号', 'resident.sex': '性别', 'resident.birth_date': '出生日期',
    'resident.phone': '电话', 'resident.address': '地址', 'resident.village': '所在村（社区）',
    'resident.status': '档案状态', 'resident.record_date': '建档日期', 'resident.tags': '重点人群',
    'resident.contract': '家庭医生签约', 'resident.care_plan': '服务计划', 'resident.state': '状态',
    'resident.done_this_year': '本年已完成', 'resident.masked': '部分字段已按您的角色脱敏显示',
    'sex.1': '男', 'sex.2': '女', 'sex.0': '未知', 'sex.9': '未说明',
    'rstatus.active': '在册', 'rstatus.deceased': '死亡', 'rstatus.moved_out': '迁出',
    'tag.hypertension': '高血压', 'tag.diabetes': '2型糖尿病', 'tag.severe_mental': '严重精神障碍',
    'tag.tuberculosis': '肺结核', 'tag.disabled': '残疾人', 'tag.pregnant': '孕产妇', 'tag.poverty': '脱贫监测',
    'tag.special_family': '计划生育特殊家庭', 'tag.post_referral': '下转患者',
    'map.title': '15分钟健康服务圈地图', 'map.facilities': '医疗卫生机构', 'map.coverage': '村（社区）15分钟可达',
    'map.underserved': '15分钟外的村（社区）', 'map.proposals': '建议新增服务点', 'map.isochrones': '等时圈（15分钟）',
    'map.no_roads': '服务器未加载路网：覆盖、薄弱村和选址图层暂不可用',
    'map.within': '15分钟内', 'map.partly': '部分可达', 'map.beyond': '15分钟外',
    'map.people': '人口', 'map.minutes': '步行分钟', 'map.unreached': '不可达', 'map.nearest': '最近机构',
    'map.gain': '新增覆盖人口', 'map.rank': '序号', 'map.legend': '图例', 'map.list_underserved': '15分钟外的村（社区）',
    'map.list_proposals': '建议新增服务点', 'map.share': '可达比例', 'map.layers': '图层', 'map.facility_type': '机构类型',
    'ftype.tertiary_hospital': '三级医院', 'ftype.secondary_hospital': '二级医院', 'ftype.primary_hospital': '一级医院',
    'ftype.county_hospital': '县级医院', 'ftype.tcm_hospital': '中医医院', 'ftype.mch_hospital': '妇幼保健院',
    'ftype.general_hospital': '综合医院', 'ftype.community_center': '社区卫生服务中心',
    'ftype.community_station': '社区卫生服务站', 'ftype.township_center': '乡镇卫生院',
    'ftype.village_clinic': '村卫生室', 'ftype.cdc': '疾病预防控制中心', 'ftype.emergency_station': '急救站',
    'ftype.infant_care': '托育机构', 'ftype.other': '其他机构',
    'nav.alerts': '预警处置', 'map.alerts': '待核实预警',
    'ref.arrive': '患者已到达', 'ref.complete': '完成', 'ref.report': '会诊/诊断报告',
    'admin.act': '操作', 'admin.enable': '启用', 'admin.disable': '停用', 'admin.enabled': '已启用 {name}',
    'admin.disabled_done': '已停用 {name}', 'admin.edit_user': '修改角色与范围', 'admin.save': '保存', 'admin.changed': '已修改 {name}',
    'alerts.title': '传染病多点触发预警', 'alerts.all': '全部', 'alerts.state': '状态', 'alerts.level': '级别',
    'alerts.state.open': '待核实', 'alerts.state.verifying': '核实中', 'alerts.state.confirmed': '已确认',
    'alerts.state.dismissed': '已排除', 'alerts.level.red': '红色', 'alerts.level.orange': '橙色',
    'alerts.level.yellow': '黄色', 'alerts.level.blue': '蓝色', 'alerts.alert': '预警', 'alerts.code': '病种/渠道',
    'alerts.place': '地区', 'alerts.rule': '触发规则', 'alerts.days': '日期', 'alerts.n_signals': '信号数',
    'alerts.multi': '多渠道', 'alerts.new': '新预警 {id}（{level}）', 'alerts.back': '返回预警列表',
    'alerts.raised': '发出时间', 'alerts.reason': '排除原因', 'alerts.responders': '处置人员', 'alerts.actions': '处置措施',
    'alerts.act': '核实与处置', 'alerts.verify': '开始核实', 'alerts.confirm': '确认为事件', 'alerts.dismiss': '排除',
    'alerts.series': '监测序列', 'alerts.count': '计数', 'alerts.expected': '期望值', 'alerts.upper': '预警阈值',
    'alerts.alarm': '报警', 'alerts.signals': '信号', 'alerts.day': '日期', 'alerts.kind': '类型',
    'alerts.method': '方法', 'alerts.history': '处置记录', 'alerts.at': '时间', 'alerts.action': '操作',
    'alerts.by': '操作人',
    'ref.title': '双向转诊', 'ref.inbox': '收件箱', 'ref.outbox': '发件箱', 'ref.facility': '机构代码',
    'ref.team': '团队', 'ref.status': '状态', 'ref.kind': '类型', 'ref.all': '全部', 'ref.direction': '方向',
    'ref.resident': '患者', 'ref.from': '转出', 'ref.to': '转入', 'ref.urgency': '紧急程度',
    'ref.requested_at': '申请时间', 'ref.overdue': '超时', 'ref.actions': '操作', 'ref.accept': '接收',
    'ref.reject': '拒绝', 'ref.reason': '拒绝原因', 'ref.done': '已更新转诊 {id}', 'ref.need_facility': '请输入机构代码',
    'ref.show': '显示', 'ref.overdue_flag': '超时未接收',
    'rstate.requested': '已申请', 'rstate.accepted': '已接收', 'rstate.rejected': '已拒绝', 'rstate.arrived': '已到达',
    'rstate.completed': '已完成', 'rstate.cancelled': '已取消',
    'rkind.referral': '转诊', 'rkind.consultation': '远程会诊', 'rkind.imaging': '远程影像诊断',
    'rdir.up': '上转', 'rdir.down': '下转',
    'urgency.routine': '普通', 'urgency.urgent': '紧急', 'urgency.critical': '危急',
    'admin.title': '系统管理', 'admin.users': '用户与角色', 'admin.audit': '审计日志', 'admin.username': '用户名',
    'admin.display_name': '显示名称', 'admin.role': '角色', 'admin.scope': '管辖范围', 'admin.disabled': '已停用',
    'admin.created_at': '创建时间', 'admin.password': '初始密码（至少10位）', 'admin.new_user': '新建用户',
    'admin.created': '已创建用户 {name}', 'admin.at': '时间', 'admin.user': '用户', 'admin.action': '操作',
    'admin.resource_type': '资源类型', 'admin.resource_id': '资源编号', 'admin.client': '客户端', 'admin.outcome': '结果',
    'admin.from': '起始日期', 'admin.to': '截止日期', 'admin.active': '在用',
};

const en = {
    'app.brand': 'yilian 医联', 'app.skip': 'Skip to content', 'app.menu': 'Main menu', 'app.language': 'Language',
    'app.logout': 'Log out', 'app.loading': 'Loading…',
    'nav.overview': 'Overview', 'nav.drill': 'Drill-down', 'nav.map': 'Map', 'nav.worklist': 'Family doctor',
    'nav.referrals': 'Referrals', 'nav.admin': 'Admin', 'nav.resident': 'Health record', 'nav.login': 'Log in',
    'role.admin': 'commission admin', 'role.facility_admin': 'facility admin', 'role.family_doctor': 'family doctor',
    'role.village_doctor': 'village doctor', 'role.epidemiologist': 'epidemiologist', 'role.analyst': 'analyst',
    'login.title': 'Log in to yilian', 'login.username': 'User name', 'login.password': 'Password', 'login.submit': 'Log in',
    'login.wrong': 'Wrong user name or password', 'login.throttled': 'Too many failed logins; try again later',
    'login.missing': 'Enter your user name and password', 'login.expired': 'Your session ended; please log in again',
    'error.forbidden': 'Your role may not see this', 'error.notfound': 'Not found, or outside your scope',
    'error.unavailable': 'Not available', 'error.unreachable': 'The server cannot be reached', 'error.refused': 'Refused',
    'error.page_forbidden': 'Your role may not open this page', 'error.page_failed': 'The page failed to load',
    'common.year': 'Year', 'common.not_available': 'not available', 'common.more': 'Load more', 'common.yes': 'yes',
    'common.no': 'no', 'common.cancel': 'Cancel', 'common.search': 'Search', 'common.create': 'Create',
    'table.empty': 'Nothing to show',
    'unit.pp': 'pp', 'unit.per1000': 'per 1,000', 'unit.per10000': 'per 10,000', 'unit.per100k': 'per 100,000',
    'unit.per100klb': 'per 100,000 live births', 'unit.persons': 'persons', 'unit.count': '', 'unit.services': 'services',
    'unit.per_team': 'per team',
    'overview.title': 'Regional health overview', 'overview.trend': 'Trend over five years', 'overview.vs_previous': 'vs previous year',
    'overview.no_previous': 'no figure for the previous year', 'overview.grassroots_share': 'Share of visits at grassroots facilities',
    'overview.circle15': 'Population within 15 minutes of primary care', 'overview.circle_missing': 'the server has no road network',
    'overview.current_roads': 'on the current road network', 'overview.incidence': 'Notifiable disease incidence',
    'overview.cases': 'cases reported', 'overview.target': 'target', 'overview.behind': 'behind', 'overview.drill': 'By unit',
    'drill.title': 'Indicator drill-down', 'drill.path': 'Level', 'drill.indicator': 'Indicator', 'drill.export': 'Export CSV',
    'drill.code': 'Code', 'drill.value': 'Value', 'drill.numerator': 'Numerator', 'drill.denominator': 'Denominator',
    'drill.unit': 'Unit', 'drill.lowest': 'This is the lowest level (village or community)',
    'level.province': 'Province', 'level.city': 'City', 'level.county': 'County', 'level.township': 'Township',
    'level.village': 'Village',
    'worklist.title': 'Family doctor worklist', 'worklist.states': 'Service states',
    'worklist.lead': '{date} · {residents} signed residents · facility {facility}',
    'worklist.resident': 'Resident', 'worklist.village': 'Village', 'worklist.item': 'Service',
    'worklist.due_by': 'Due by', 'worklist.overdue_since': 'Overdue since', 'worklist.open': 'Opens',
    'worklist.last_done': 'Last done', 'worklist.phone': 'Phone', 'worklist.action': 'Action', 'worklist.record': 'Record',
    'worklist.save': 'Save', 'worklist.date': 'Date of service', 'worklist.facility': 'Facility',
    'worklist.optional': 'Other measurements (optional)', 'worklist.recorded': 'Recorded {item} for {name}',
    'state.due': 'Due', 'state.overdue': 'Overdue', 'state.upcoming': 'Upcoming', 'state.done': 'Done',
    'state.not_eligible': 'Not eligible',
    'resident.title': 'Health record', 'resident.forbidden': 'Your role sees aggregates only and may not open a person\'s record',
    'resident.id_number': 'ID number', 'resident.sex': 'Sex', 'resident.birth_date': 'Born',
    'resident.phone': 'Phone', 'resident.address': 'Address', 'resident.village': 'Village',
    'resident.status': 'Status', 'resident.record_date': 'Record since', 'resident.tags': 'Key populations',
    'resident.contract': 'Family doctor contract', 'resident.care_plan': 'Care plan', 'resident.state': 'State',
    'resident.done_this_year': 'Done this year', 'resident.masked': 'Some fields are masked for your role',
    'sex.1': 'male', 'sex.2': 'female', 'sex.0': 'unknown', 'sex.9': 'unstated',
    'rstatus.active': 'active', 'rstatus.deceased': 'deceased', 'rstatus.moved_out': 'moved out',
    'tag.hypertension': 'hypertension', 'tag.diabetes': 'type 2 diabetes', 'tag.severe_mental': 'severe mental disorder',
    'tag.tuberculosis': 'tuberculosis', 'tag.disabled': 'disabled', 'tag.pregnant': 'pregnant or postpartum',
    'tag.poverty': 'poverty-monitored', 'tag.special_family': 'special family-planning family', 'tag.post_referral': 'referred down',
    'map.title': '15-minute health service circle', 'map.facilities': 'Facilities', 'map.coverage': 'Villages within 15 minutes',
    'map.underserved': 'Villages beyond 15 minutes', 'map.proposals': 'Proposed new sites', 'map.isochrones': 'Isochrones (15 min)',
    'map.no_roads': 'The server has no road network: coverage, underserved villages and proposals are not available',
    'map.within': 'within 15 min', 'map.partly': 'partly', 'map.beyond': 'beyond 15 min',
    'map.people': 'People', 'map.minutes': 'Minutes on foot', 'map.unreached': 'unreached', 'map.nearest': 'Nearest facility',
    'map.gain': 'People gained', 'map.rank': 'Rank', 'map.legend': 'Legend', 'map.list_underserved': 'Villages beyond 15 minutes',
    'map.list_proposals': 'Proposed new sites', 'map.share': 'Share within', 'map.layers': 'Layers', 'map.facility_type': 'Facility type',
    'ftype.tertiary_hospital': 'tertiary hospital', 'ftype.secondary_hospital': 'secondary hospital',
    'ftype.primary_hospital': 'primary hospital', 'ftype.county_hospital': 'county hospital', 'ftype.tcm_hospital': 'TCM hospital', 'ftype.mch_hospital': 'maternal and child health hospital',
    'ftype.general_hospital': 'general hospital', 'ftype.community_center': 'community health center',
    'ftype.community_station': 'community health station', 'ftype.township_center': 'township health center',
    'ftype.village_clinic': 'village clinic', 'ftype.cdc': 'CDC', 'ftype.emergency_station': 'emergency station',
    'ftype.infant_care': 'infant care', 'ftype.other': 'other',
    'nav.alerts': 'Alerts', 'map.alerts': 'Open alerts',
    'ref.arrive': 'Patient arrived', 'ref.complete': 'Complete', 'ref.report': 'Report',
    'admin.act': 'Action', 'admin.enable': 'Enable', 'admin.disable': 'Disable', 'admin.enabled': '{name} enabled',
    'admin.disabled_done': '{name} disabled', 'admin.edit_user': 'Change role and scope', 'admin.save': 'Save', 'admin.changed': '{name} changed',
    'alerts.title': 'Early-warning alerts', 'alerts.all': 'All', 'alerts.state': 'State', 'alerts.level': 'Level',
    'alerts.state.open': 'Open', 'alerts.state.verifying': 'Verifying', 'alerts.state.confirmed': 'Confirmed',
    'alerts.state.dismissed': 'Dismissed', 'alerts.level.red': 'Red', 'alerts.level.orange': 'Orange',
    'alerts.level.yellow': 'Yellow', 'alerts.level.blue': 'Blue', 'alerts.alert': 'Alert', 'alerts.code': 'Disease/channel',
    'alerts.place': 'Place', 'alerts.rule': 'Rule', 'alerts.days': 'Days', 'alerts.n_signals': 'Signals',
    'alerts.multi': 'Several channels', 'alerts.new': 'New alert {id} ({level})', 'alerts.back': 'Back to the alerts',
    'alerts.raised': 'Raised', 'alerts.reason': 'Reason for dismissal', 'alerts.responders': 'Responders', 'alerts.actions': 'Actions taken',
    'alerts.act': 'Verify and respond', 'alerts.verify': 'Start verifying', 'alerts.confirm': 'Confirm as an event', 'alerts.dismiss': 'Dismiss',
    'alerts.series': 'Surveillance series', 'alerts.count': 'Count', 'alerts.expected': 'Expected', 'alerts.upper': 'Upper bound',
    'alerts.alarm': 'Alarm', 'alerts.signals': 'Signals', 'alerts.day': 'Day', 'alerts.kind': 'Kind',
    'alerts.method': 'Method', 'alerts.history': 'History', 'alerts.at': 'At', 'alerts.action': 'Action',
    'alerts.by': 'By',
    'ref.title': 'Two-way referral', 'ref.inbox': 'Inbox', 'ref.outbox': 'Outbox', 'ref.facility': 'Facility code',
    'ref.team': 'Team', 'ref.status': 'Status', 'ref.kind': 'Kind', 'ref.all': 'all', 'ref.direction': 'Direction',
    'ref.resident': 'Patient', 'ref.from': 'From', 'ref.to': 'To', 'ref.urgency': 'Urgency',
    'ref.requested_at': 'Requested', 'ref.overdue': 'Overdue', 'ref.actions': 'Actions', 'ref.accept': 'Accept',
    'ref.reject': 'Reject', 'ref.reason': 'Reason for rejecting', 'ref.done': 'Referral {id} updated', 'ref.need_facility': 'Enter a facility code',
    'ref.show': 'Show', 'ref.overdue_flag': 'not accepted in time',
    'rstate.requested': 'requested', 'rstate.accepted': 'accepted', 'rstate.rejected': 'rejected', 'rstate.arrived': 'arrived',
    'rstate.completed': 'completed', 'rstate.cancelled': 'cancelled',
    'rkind.referral': 'referral', 'rkind.consultation': 'remote consultation', 'rkind.imaging': 'remote imaging reading',
    'rdir.up': 'up', 'rdir.down': 'down',
    'urgency.routine': 'routine', 'urgency.urgent': 'urgent', 'urgency.critical': 'critical',
    'admin.title': 'Administration', 'admin.users': 'Users and roles', 'admin.audit': 'Audit log', 'admin.username': 'User name',
    'admin.display_name': 'Display name', 'admin.role': 'Role', 'admin.scope': 'Scope', 'admin.disabled': 'disabled',
    'admin.created_at': 'Created', 'admin.password': 'Initial password (10 characters or more)', 'admin.new_user': 'New user',
    'admin.created': 'Created user {name}', 'admin.at': 'Time', 'admin.user': 'User', 'admin.action': 'Action',
    'admin.resource_type': 'Resource type', 'admin.resource_id': 'Resource id', 'admin.client': 'Client', 'admin.outcome': 'Outcome',
    'admin.from': 'From', 'admin.to': 'To', 'admin.active': 'active',
};

const DICTS = { 'zh-CN': zh, en };

function initial() {
    const saved = localStorage.getItem(KEY);
    return LANGS.includes(saved) ? saved : 'zh-CN';
}

let lang = initial();

export function getLang() { return lang; }

export function setLang(l) {
    lang = LANGS.includes(l) ? l : 'zh-CN';
    localStorage.setItem(KEY, lang);
    document.documentElement.lang = lang;
    applyStatic();
}

// t('worklist.lead', {date: …}): the string with {name} replaced; the key itself (and a
// console warning) when a dictionary lacks it, so a gap shows rather than hides.
export function t(key, vars) {
    let s = DICTS[lang][key];
    if (s === undefined) {
        console.warn(`i18n: no "${key}" in ${lang}`);
        s = key;
    }
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? vars[k] : m));
    return s;
}

// The keys of a language's dictionary (the browser tests compare the two).
export function dictionaryKeys(l) {
    return Object.keys(DICTS[l] || {});
}

// The strings of index.html itself (data-i18n: text; data-i18n-aria: aria-label).
export function applyStatic() {
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
}

// The server's own two names of a thing: name_zh / name_en.
export function pick(o, base = 'name') {
    if (!o) return '';
    return (lang === 'en' ? o[`${base}_en`] : o[`${base}_zh`]) || o[`${base}_zh`] || o[`${base}_en`] || o[base] || '';
}

const nf = (opts) => new Intl.NumberFormat(lang, opts);

export const fmt = {
    num: (v, digits = 1) => (v === null || v === undefined ? '—' : nf({ maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v)),
    int: (v) => (v === null || v === undefined ? '—' : nf({ maximumFractionDigits: 0 }).format(v)),
    // A percentage given as 0..100.
    pct: (v, digits = 1) => (v === null || v === undefined ? '—'
        : nf({ style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v / 100)),
    signed: (v, digits = 1) => nf({ maximumFractionDigits: digits, minimumFractionDigits: digits, signDisplay: 'exceptZero' }).format(v),
    date: (iso) => (iso ? new Intl.DateTimeFormat(lang, { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: 'UTC' })
        .format(new Date(`${iso.slice(0, 10)}T00:00:00Z`)) : '—'),
    dateTime: (iso) => (iso ? new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso)) : '—'),
    // An indicator's value with its unit as /api/indicators names it.
    indicator(v, unit) {
        if (v === null || v === undefined) return '—';
        switch (unit) {
        case '%': return fmt.pct(v);
        case '‰': return `${fmt.num(v, 2)} ‰`;
        case 'per 1,000': return `${fmt.num(v, 2)} ${t('unit.per1000')}`;
        case 'per 10,000': return `${fmt.num(v, 2)} ${t('unit.per10000')}`;
        case 'per 100,000 live births': return `${fmt.num(v, 1)} ${t('unit.per100klb')}`;
        case 'persons': return `${fmt.int(v)} ${t('unit.persons')}`;
        case 'services': return `${fmt.int(v)} ${t('unit.services')}`;
        case 'count': return `${fmt.int(v)} ${t('unit.count')}`.trim();
        case 'residents per team': return `${fmt.num(v, 1)} ${t('unit.per_team')}`;
        default: return `${fmt.num(v, 2)}${unit ? ` ${unit}` : ''}`;
        }
    },
};
